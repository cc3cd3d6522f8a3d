package org.sparkdnn.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.apache.spark.SparkException;
import org.sparkdnn.checkpoint.CheckpointException;
import org.sparkdnn.checkpoint.CheckpointWriteException;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.data.DataException;
import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.run.DivergenceException;

/**
 * The command line's exit statuses, one per kind of failure, so that scripts and cron can tell them apart.
 * 70 (sysexits' EX_SOFTWARE) marks what the program did not expect — a bug; 1 is left to {@code compare}'s
 * "the models differ".
 */
public final class ExitStatus {
    public static final int OK = 0;
    /** {@code compare}: the models differ beyond the tolerance. */
    public static final int DIFFERENT = 1;
    /** Bad command line, bad config file or value, or a checkpoint that does not fit the config. */
    public static final int USAGE = 2;
    /** {@code sweep --compare-to}, {@code nightly}: tonight's best regressed beyond the tolerance. */
    public static final int REGRESSED = 3;
    /** Bad training data (the message names the file and line or record). */
    public static final int DATA = 4;
    /** A file that is missing or unreadable, a file system or cluster failure. */
    public static final int IO = 5;
    /** Training diverged (NaN/Inf); the last checkpoint is the last good state. */
    public static final int DIVERGED = 6;
    /** A checkpoint could not be written (disk full, permission); the last good checkpoint is intact. */
    public static final int CHECKPOINT_WRITE = 7;
    /** {@code backend}: no ND4J backend loads (CUDA build without a driver), or not the one {@code --require}d. */
    public static final int BACKEND = 8;
    /** An unexpected error: a bug. */
    public static final int INTERNAL = 70;

    private ExitStatus() {
    }

    static int of(Throwable e) {
        if (e instanceof CheckpointWriteException) {
            return CHECKPOINT_WRITE;
        }
        if (e instanceof ConfigException || e instanceof CheckpointException) {
            return USAGE;
        }
        if (e instanceof DataException) {
            return DATA;
        }
        if (e instanceof DivergenceException) {
            return DIVERGED;
        }
        if (e instanceof IOException || e instanceof UncheckedIOException || e instanceof ClusterException
                || e instanceof SparkException) {
            return IO;
        }
        return INTERNAL;
    }

    /** The one line printed for a failure. */
    static String describe(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        if (of(e) == INTERNAL) {
            return "internal error (a bug: please report it with the --verbose output): " + e.getClass().getName()
                    + ": " + message;
        }
        if (e instanceof FileNotFoundException || e instanceof NoSuchFileException) {
            return "not found: " + message;
        }
        return message;
    }
}

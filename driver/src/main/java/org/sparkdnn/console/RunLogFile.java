package org.sparkdnn.console;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.FileAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.sparkdnn.io.Storage;

/**
 * {@code <output.dir>/train.log}: every log line of the JVM (trainer, Spark, Hadoop, DL4J; in local mode the
 * executors' too) at the root logger's level while a run lasts. Log4j writes local files only, so for an output dir on
 * another file system (HDFS) the log goes to a local temporary file (which starts with the earlier attempt's log, if
 * any) that is copied there when the run ends — so a driver killed mid-run leaves no train.log there, and the
 * temporary file stays in java.io.tmpdir. Runs that overlap in one JVM each get every line of that time.
 */
public final class RunLogFile implements AutoCloseable {
    static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %p [%t] %c{1}: %m%n";
    private final LoggerContext context;
    private final FileAppender appender;
    private final Path local;
    private final Optional<String> copyTo;
    private final Storage storage;

    private RunLogFile(LoggerContext context, FileAppender appender, Path local, Optional<String> copyTo,
                       Storage storage) {
        this.context = context;
        this.appender = appender;
        this.local = local;
        this.copyTo = copyTo;
        this.storage = storage;
    }

    /** Starts {@code <outputDir>/train.log}; empty when the logging backend is not Log4j 2. */
    public static Optional<RunLogFile> start(Storage storage, String outputDir) throws IOException {
        if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
            return Optional.empty();
        }
        String target = outputDir + "/train.log";
        Optional<Path> direct = localPath(storage, target);
        Path local = direct.isPresent() ? direct.get() : Files.createTempFile("sparkdnn-train-", ".log");
        if (direct.isEmpty() && storage.exists(target)) {
            try (InputStream earlier = storage.openRaw(target)) {
                Files.copy(earlier, local, StandardCopyOption.REPLACE_EXISTING); // a resumed run appends
            }
        }
        FileAppender appender = FileAppender.newBuilder()
                .setName("train.log " + outputDir + " " + System.nanoTime())
                .withFileName(local.toString())
                .withAppend(true)
                .setLayout(PatternLayout.newBuilder().withPattern(PATTERN).build())
                .build();
        appender.start();
        LoggerConfig root = context.getConfiguration().getRootLogger();
        root.addAppender(appender, Level.ALL, null);
        context.updateLoggers();
        return Optional.of(new RunLogFile(context, appender, local, direct.isPresent() ? Optional.empty()
                : Optional.of(target), storage));
    }

    private static Optional<Path> localPath(Storage storage, String uri) throws IOException {
        org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
        FileSystem fs = path.getFileSystem(storage.hadoopConf());
        if (fs instanceof LocalFileSystem || fs instanceof RawLocalFileSystem) {
            return Optional.of(Path.of(fs.makeQualified(path).toUri()));
        }
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        context.getConfiguration().getRootLogger().removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
        if (copyTo.isPresent()) {
            try {
                storage.writeAtomically(copyTo.get(), Files.readAllBytes(local));
            } finally {
                Files.deleteIfExists(local);
            }
        }
    }
}

package org.sparkdnn.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.checkpoint.Checkpoint;
import org.sparkdnn.checkpoint.CheckpointException;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.checkpoint.ResumeCheck;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.ConfigMigration;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.model.ModelZip;
import org.sparkdnn.model.NativeConv;

/**
 * Finds the checkpoint a run continues from (an explicit one, or the newest valid one in its checkpoint directory),
 * checks that the run's config and training data match it, and restores the network and the loop's cursor.
 */
final class Resume {
    private Resume() {
    }

    /** The verified checkpoint to continue from, if any; damaged ones are reported on {@code console}. */
    static Optional<Checkpoint> find(CheckpointStore store, Optional<String> explicit, PrintStream console)
            throws IOException {
        if (explicit.isPresent()) {
            return Optional.of(store.load(explicit.get()));
        }
        List<String> problems = new ArrayList<>();
        Optional<Checkpoint> found = store.loadLatestValid(problems);
        problems.forEach(p -> console.println("warning: checkpoint skipped: " + p));
        return found;
    }

    /** Fails unless {@code config} and the training data equal the checkpoint's (keys that may change aside). */
    static void check(Checkpoint checkpoint, RunConfig config, String trainSha256, ConfigLoader loader) {
        List<String> diffs = ResumeCheck.differences(resolved(checkpoint, loader), loader.toTree(config));
        if (!diffs.isEmpty()) {
            throw new CheckpointException("cannot resume " + checkpoint.uri() + ": the config differs from the "
                    + "checkpoint's in " + String.join("; ", diffs) + ". Resume with the same config (only cluster.*, "
                    + "output.*, checkpoint.*, training.epochs and training.maxSteps may change), or start afresh "
                    + "with another checkpoint.dir");
        }
        if (config.cluster().engine().dl4j() && checkpoint.manifest().batch() > 0) {
            throw new CheckpointException("cannot resume " + checkpoint.uri() + " with engine "
                    + config.cluster().engine().key() + ": it was written inside epoch "
                    + (checkpoint.manifest().epoch() + 1) + " (batch " + checkpoint.manifest().batch() + ") and this "
                    + "engine trains whole epochs; resume it with engine sync, reference or local, or from a "
                    + "checkpoint written at an epoch boundary");
        }
        String saved = checkpoint.manifest().data() == null ? null : checkpoint.manifest().data().get("trainSha256");
        if (!trainSha256.equals(saved)) {
            throw new CheckpointException("cannot resume " + checkpoint.uri() + ": the training data differs from the "
                    + "checkpoint's (SHA-256 " + trainSha256 + ", checkpoint " + saved + ")");
        }
    }

    /**
     * The checkpoint's config resolved by today's code: a key added since it was written (with a default that keeps
     * the old behaviour) reads as its default instead of differing from it, a key moved since is read at its new
     * place ({@link ConfigMigration}).
     */
    private static JsonNode resolved(Checkpoint checkpoint, ConfigLoader loader) {
        try {
            return loader.toTree(loader.bind(checkpoint.uri() + "/manifest.json: config",
                    ConfigMigration.migrate(checkpoint.manifest().config())));
        } catch (ConfigException e) {
            throw new CheckpointException("cannot resume " + checkpoint.uri() + ": its config does not load any more ("
                    + e.getMessage() + "); start afresh with another checkpoint.dir", e);
        }
    }

    static ComputationGraph network(Checkpoint checkpoint) {
        try {
            return NativeConv.install(
                    ModelZip.read(checkpoint.uri() + "/model.zip", checkpoint.model(), true));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore the model of " + checkpoint.uri() + ": " + e.getMessage(), e);
        }
    }

    static TrainingLoop.Start start(Checkpoint checkpoint) {
        Optional<INDArray> best = checkpoint.file(Checkpointer.BEST_PARAMS).map(bytes -> {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
                return Nd4j.read(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the best parameters of " + checkpoint.uri(), e);
            }
        });
        return new TrainingLoop.Start(checkpoint.manifest().step(), checkpoint.manifest().epoch(),
                checkpoint.manifest().batch(), checkpoint.manifest().earlyStopping(), best);
    }
}

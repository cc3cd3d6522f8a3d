package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigException;

/** {@code model.init} starts from trained weights; {@code model.freezeLayers} keeps the first layers fixed. */
class TransferLearningTest {
    @TempDir
    Path tmp;

    private static ComputationGraph load(Path zip) throws Exception {
        try (InputStream in = Files.newInputStream(zip)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        }
    }

    @Test
    void fineTuningFromASavedModelWithTheFirstLayerFrozenKeepsItsWeightsAndTrainsTheRest() throws Exception {
        ExactResumeTest.train(null, tmp.resolve("source"), "cluster.engine=local", "training.epochs=1");
        ComputationGraph source = load(tmp.resolve("source/model.zip"));
        ExactResumeTest.train(null, tmp.resolve("tuned"), "cluster.engine=local", "training.epochs=1",
                "model.init=" + tmp.resolve("source/model.zip"), "model.freezeLayers=1", "training.seed=99");
        ComputationGraph tuned = load(tmp.resolve("tuned/model.zip"));
        assertEquals(source.getParam("layer0_W"), tuned.getParam("layer0_W"), "frozen layer unchanged");
        assertEquals(source.getParam("layer0_b"), tuned.getParam("layer0_b"));
        assertNotEquals(source.getParam("output_W"), tuned.getParam("output_W"), "the rest trains on");
    }

    @Test
    void aCheckpointDirectoryIsAcceptedAsInitAndAWrongWidthIsRejectedWithTheKey() throws Exception {
        ExactResumeTest.train(null, tmp.resolve("source"), "cluster.engine=local", "training.maxSteps=10");
        Path checkpoint = tmp.resolve("source/checkpoints/ckpt-0000000010");
        assertTrue(Files.isDirectory(checkpoint));
        ExactResumeTest.train(null, tmp.resolve("fromCkpt"), "cluster.engine=local", "training.maxSteps=5",
                "model.init=" + checkpoint);
        assertTrue(Files.exists(tmp.resolve("fromCkpt/model.zip")));
        ConfigException e = assertThrows(ConfigException.class, () -> ExactResumeTest.train(null,
                tmp.resolve("tooDeep"), "cluster.engine=local", "model.init=" + checkpoint, "model.freezeLayers=5"));
        assertTrue(e.getMessage().contains("model.freezeLayers"), e.getMessage());
    }
}

package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sparkdnn.checkpoint.Checkpoint;
import org.sparkdnn.checkpoint.CheckpointException;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.SparkFixture;
import org.sparkdnn.io.Storage;

/**
 * A run stopped at step s (mid-epoch or at an epoch boundary) and resumed from its checkpoint ends with the same
 * parameters, bitwise, as the run that was never stopped — for the local and the sync engine (both exchanges; the
 * peer exchange with owner slices, whose checkpoints hold the optimizer state put together from k slices, and with
 * the replicated update).
 */
class ExactResumeTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model: {layers: [{units: 24}, {type: residual}]}",
            "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2, validationFraction: 0.1}",
            "training: {epochs: 3, batchSize: 50, seed: 5, patience: 5}",
            "optimizer: {type: adam, learningRate: 0.005, weightDecay: 0.0001}",
            "checkpoint: {everySteps: 10, keepLast: 2}",
            "cluster: {workers: 2, stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    static JsonNode train(JavaSparkContext spark, Path out, String... sets) throws Exception {
        List<String> overrides = new ArrayList<>(List.of(sets));
        overrides.add("output.dir=" + out);
        RunConfig config = new ConfigLoader().parse("test.yaml", CONFIG, overrides);
        new TrainingRun(config, Storage.withDefaults(), new PrintStream(OutputStream.nullOutputStream()),
                System::nanoTime, Optional.ofNullable(spark)).execute();
        return new ConfigLoader().json().readTree(out.resolve("summary.json").toFile());
    }

    @ParameterizedTest(name = "{0} engine, stopped at step {1}")
    @CsvSource({"local, 37", "local, 26", "sync, 37", "sync, 52", "peer-owner, 37", "peer-replicated, 37"})
    void aRunStoppedAtStepSAndResumedEqualsTheUninterruptedRun(String engine, int stopAt) throws Exception {
        JavaSparkContext spark = engine.equals("local") ? null : SPARK.context();
        boolean peer = engine.startsWith("peer");
        String e = peer ? "cluster.engine=sync" : "cluster.engine=" + engine;
        String x = "cluster.exchange=" + (peer ? "peer" : "driver");
        String u = "cluster.peer.update=" + (peer ? engine.substring("peer-".length()) : "auto");
        // owner slices in buckets of under 1 KiB: the exchange overlapped with computation, through the resume
        String b = "cluster.peer.bucketMB=" + (engine.equals("peer-owner") ? 0.0008 : 25);
        JsonNode whole = train(spark, tmp.resolve("whole"), e, x, u, b);
        JsonNode stopped = train(spark, tmp.resolve("resumed"), e, x, u, b, "training.maxSteps=" + stopAt);
        assertEquals(stopAt, stopped.get("steps").asLong());
        JsonNode resumed = train(spark, tmp.resolve("resumed"), e, x, u, b);
        assertEquals(engine.equals("peer-owner"), resumed.at("/engineStats/overlap").asBoolean());
        assertTrue(resumed.get("resumedFrom").asText().endsWith(String.format("ckpt-%010d", stopAt)),
                resumed.get("resumedFrom").asText());
        assertEquals(whole.get("steps").asLong(), resumed.get("steps").asLong());
        assertEquals(whole.get("paramsSha256").asText(), resumed.get("paramsSha256").asText());
        try (Stream<Path> files = Files.list(tmp.resolve("resumed/checkpoints"))) {
            long kept = files.filter(p -> p.getFileName().toString().startsWith("ckpt-")).count();
            assertTrue(kept >= 2 && kept <= 3, "keepLast 2 plus the best by validation loss, was " + kept);
        }
    }

    @Test
    void resumingWithADifferentConfigFailsNamingTheDifferingKeys() throws Exception {
        train(null, tmp.resolve("run"), "cluster.engine=local", "training.maxSteps=12");
        CheckpointException e = assertThrows(CheckpointException.class, () -> train(null, tmp.resolve("run"),
                "cluster.engine=local", "optimizer.learningRate=0.1", "training.batchSize=40"));
        assertTrue(e.getMessage().contains("optimizer.learningRate: checkpoint 0.005, now 0.1"), e.getMessage());
        assertTrue(e.getMessage().contains("training.batchSize: checkpoint 50, now 40"), e.getMessage());
    }

    @Test
    void divergenceStopsTheRunAndLeavesTheLastGoodCheckpointIntact() throws Exception {
        DivergenceException e = assertThrows(DivergenceException.class, () -> train(null, tmp.resolve("nan"),
                "cluster.engine=local", "optimizer.type=sgd", "optimizer.learningRate=1e30", "checkpoint.everySteps=1"));
        assertTrue(e.getMessage().contains("training diverged at step"), e.getMessage());
        assertTrue(e.getMessage().contains("layer"), "names the layer: " + e.getMessage());
        List<String> problems = new ArrayList<>();
        Checkpoint last = new CheckpointStore(tmp.resolve("nan/checkpoints").toString(), new Configuration(),
                new ConfigLoader().json()).loadLatestValid(problems).orElseThrow();
        assertTrue(problems.isEmpty(), problems.toString());
        assertTrue(Double.isFinite(Resume.network(last).params().sumNumber().doubleValue()),
                "the last checkpoint holds finite parameters");
    }

    @Test
    void aDamagedNewestCheckpointIsSkippedAndTheRunStillEndsWithTheUninterruptedResult() throws Exception {
        JsonNode whole = train(null, tmp.resolve("whole"), "cluster.engine=local", "training.maxSteps=40");
        train(null, tmp.resolve("run"), "cluster.engine=local", "training.maxSteps=30");
        // a third checkpoint from a later attempt that died while writing: model.zip truncated
        train(null, tmp.resolve("run"), "cluster.engine=local", "training.maxSteps=35");
        Path newest = tmp.resolve("run/checkpoints/ckpt-0000000035/model.zip");
        Files.write(newest, java.util.Arrays.copyOf(Files.readAllBytes(newest), 100));
        Files.deleteIfExists(newest.resolveSibling(".model.zip.crc"));
        JsonNode resumed = train(null, tmp.resolve("run"), "cluster.engine=local", "training.maxSteps=40");
        assertTrue(resumed.get("resumedFrom").asText().endsWith("ckpt-0000000030"), resumed.get("resumedFrom").asText());
        assertEquals(whole.get("paramsSha256").asText(), resumed.get("paramsSha256").asText());
        try (Stream<Path> files = Files.list(tmp.resolve("run/checkpoints"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("_abandoned-ckpt-0000000035")),
                    "the damaged checkpoint is kept aside, not deleted");
        }
    }

    @Test
    void aStepCheckpointDueAtTheEndOfAnEpochRecordsTheEpochsValidationAndTheNextCursor() throws Exception {
        // 1258 training rows / 50 = 26 batches per epoch: step 26 ends epoch 1
        train(null, tmp.resolve("edge"), "cluster.engine=local", "training.maxSteps=30", "checkpoint.everySteps=26",
                "checkpoint.everyEpochs=0", "checkpoint.keepLast=10");
        Checkpoint c = new CheckpointStore(tmp.resolve("edge/checkpoints").toString(), new Configuration(),
                new ConfigLoader().json()).load(26);
        assertEquals(1, c.manifest().epoch());
        assertEquals(0, c.manifest().batch());
        assertTrue(c.manifest().validation().isPresent(), "validation loss recorded");
    }
}

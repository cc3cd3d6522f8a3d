package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;

/**
 * Trials on the exact distributed engine inside a sweep: they share one Spark application, each gives the parameters
 * its own config gives when trained alone; more concurrent barrier tasks than task slots is refused before the start.
 */
class DistributedTrialsTest {
    @TempDir
    Path tmp;

    private SweepSpec spec(int parallel, int workers) throws Exception {
        return spec(parallel, workers, "sync");
    }

    private SweepSpec spec(int parallel, int workers, String engine) throws Exception {
        Path file = tmp.resolve("sweep.yaml");
        Files.writeString(file, SweepRunTest.SWEEP
                .replace("cluster: {engine: local}", "cluster: {engine: " + engine + ", master: 'local[2]', workers: " + workers
                        + ", spark: {spark.ui.enabled: 'false', spark.driver.host: 127.0.0.1, "
                        + "spark.driver.bindAddress: 127.0.0.1}}")
                .replace("training.batchSize: {choice: [32, 64, -8]}", "training.batchSize: {choice: [32, 64]}")
                // DL4J's shared trainer steps a schedule by its own iteration count: it refuses one
                .replace(", schedule: {type: cosine}", engine.equals("shared") ? "" : ", schedule: {type: cosine}"));
        return SweepSpec.load(Storage.withDefaults(), new ConfigLoader(), file.toString(), List.of(
                "parallelTrials=" + parallel, "search.trials=2", "scheduler.type=none", "scheduler.maxResource=1",
                "output.dir=" + tmp.resolve("sweep")));
    }

    @Test
    void syncTrialsShareOneSparkApplicationAndEqualTheirConfigTrainedAlone() throws Exception {
        SweepSpec spec = spec(1, 2);
        Optional<JavaSparkContext> spark = SweepRunner.sparkFor(spec);
        assertTrue(spark.isPresent(), "sync trials need Spark");
        try {
            Leaderboard board = new SweepRunner(spec, Storage.withDefaults(),
                    new PrintStream(OutputStream.nullOutputStream()), System::nanoTime, spark).run(false);
            assertEquals(2, board.rows().stream().filter(r -> r.status().equals("completed")).count(), board.rows().toString());
            Leaderboard.Row row = board.rows().get(0);
            TrialConfigs configs = new TrialConfigs(spec, new ConfigLoader(), spec.config().output().dir());
            Map<String, Object> alone = new TrainingRun(configs.config(new Trial(row.trial(), row.params()), 1,
                    tmp.resolve("alone").toString()), Storage.withDefaults(),
                    new PrintStream(OutputStream.nullOutputStream()), System::nanoTime, spark).execute();
            assertEquals(row.paramsSha256(), alone.get("paramsSha256"));
            assertEquals("sync", alone.get("engine"));
        } finally {
            spark.get().stop();
        }
    }

    /** DL4J's shared trainer as a sweep runs it: trial after trial in one Spark application, each learning. */
    @Test
    void sharedTrialsRunOneAfterAnotherInOneSparkApplication() throws Exception {
        SweepSpec spec = spec(1, 2, "shared");
        Optional<JavaSparkContext> spark = SweepRunner.sparkFor(spec);
        try {
            Leaderboard board = new SweepRunner(spec, Storage.withDefaults(),
                    new PrintStream(OutputStream.nullOutputStream()), System::nanoTime, spark).run(false);
            assertEquals(2, board.rows().stream().filter(r -> r.status().equals("completed")).count(),
                    board.rows().toString());
        } finally {
            spark.get().stop();
        }
        ConfigException e = assertThrows(ConfigException.class, () -> SweepRunner.sparkFor(spec(2, 1, "shared")));
        assertTrue(e.getMessage().contains("parallelTrials: must be 1 when trials use engine shared"), e.getMessage());
    }

    @Test
    void moreConcurrentBarrierTasksThanTaskSlotsIsRefusedBeforeTheStart() throws Exception {
        ConfigException e = assertThrows(ConfigException.class, () -> SweepRunner.sparkFor(spec(2, 2)));
        assertTrue(e.getMessage().contains("parallelTrials: × cluster.workers (2) = 4 task slots, more than the 2 of "
                + "local[2]"), e.getMessage());
    }
}

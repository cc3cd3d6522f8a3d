package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With {@code cluster.dataPlacement: broadcast} the {@code sync} engine runs one barrier stage for the whole run: its
 * tasks derive every epoch's shards from the broadcast rows and the batch plan. It must train exactly the batches
 * the per-epoch stages of {@code dataPlacement: shuffle} train (bitwise {@code reference}), across epochs, through a
 * retried stage in a later epoch, and end cleanly when the run stops inside an epoch.
 */
class RunWideStageTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model: {dataType: double, layers: [{units: 12}], activation: tanh, weightInit: xavier, dropout: 0.1}",
            "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2, validationFraction: 0.1}",
            "training: {epochs: 3, batchSize: 64, seed: 11, logEvery: 1000}",
            "optimizer: {type: adam, learningRate: 0.005}",
            "cluster: {workers: 3, stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "exchange {0}")
    @ValueSource(strings = {"driver", "peer"})
    void oneStageTrainsEveryEpochBitwiseAsPerEpochStagesAndReference(String exchange) throws Exception {
        String ex = "cluster.exchange=" + exchange;
        // peer: the listeners take ports of a range (cluster.peer.ports), as a firewalled cluster would ask
        String[] sets = {"cluster.engine=sync", ex};
        if (exchange.equals("peer")) {
            int low = freePorts(8);
            sets = Runs.with(sets, "cluster.peer.ports=" + low + "-" + (low + 7));
        }
        Runs.Result run = Runs.train(SPARK.context(), tmp.resolve("run"), CONFIG, sets);
        Runs.Result perEpoch = Runs.train(SPARK.context(), tmp.resolve("epoch"), CONFIG, "cluster.engine=sync", ex,
                "cluster.dataPlacement=shuffle");
        Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref"), CONFIG, "cluster.engine=reference");
        assertEquals(1, run.summary().at("/engineStats/sparkStages").asLong(), run.summary().toString());
        assertEquals("run", run.summary().at("/engineStats/stage").asText());
        assertEquals(3, perEpoch.summary().at("/engineStats/sparkStages").asLong());
        assertEquals(3 * 20, run.summary().get("steps").asLong()); // 1258 training rows: 20 batches of 64 per epoch
        assertEquals(reference.sha(), perEpoch.sha());
        assertEquals(reference.sha(), run.sha(), exchange + ": the run-wide stage differs from reference");
    }

    /** The first of {@code n} consecutive ports that are free now. */
    static int freePorts(int n) throws IOException {
        for (int base = 42000 + new SplittableRandom().nextInt(8000); ; base = 42000 + (base - 42000 + n) % 8000) {
            boolean free = true;
            for (int p = base; p < base + n && free; p++) {
                try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
                    free = s.getLocalPort() == p;
                } catch (IOException taken) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
    }

    /**
     * A worker lost in a run-wide stage: Spark retries the stage, whose tasks resume at the current epoch; after a
     * retry the next epoch starts a new stage (Spark counts a stage's failed attempts until it succeeds, so renewing
     * it keeps cluster.maxStageAttempts per epoch). Step 25 is in epoch 2 of 3 (a new stage for epoch 3), step 45 in
     * epoch 3 (none).
     */
    @ParameterizedTest(name = "exchange {0}, fault at step {1}")
    @org.junit.jupiter.params.provider.CsvSource({"driver, 25, 2", "peer, 25, 2", "driver, 45, 1", "peer, 45, 1"})
    void aStageRetriedContinuesItsEpochAndTheNextEpochGetsANewStage(String exchange, int failStep, int stages)
            throws Exception {
        String[] sets = {"cluster.engine=sync", "cluster.exchange=" + exchange, "checkpoint.everySteps=10"};
        Runs.Result clean = Runs.train(SPARK.context(), tmp.resolve("clean"), CONFIG, sets);
        Runs.Result faulty = Runs.train(SPARK.context(), tmp.resolve("faulty"), CONFIG, Runs.with(sets,
                "cluster.faultInjection.worker=2", "cluster.faultInjection.step=" + failStep));
        assertEquals(1, clean.summary().at("/engineStats/sparkStages").asLong());
        assertEquals(stages, faulty.summary().at("/engineStats/sparkStages").asLong());
        assertEquals(clean.sha(), faulty.sha());
    }

    /** A step limit inside epoch 2 ends the run-wide stage at close; the result is reference's at that step. */
    @Test
    void aRunStoppedInsideAnEpochEndsItsStageCleanly() throws Exception {
        Runs.Result run = Runs.train(SPARK.context(), tmp.resolve("run"), CONFIG, "cluster.engine=sync",
                "cluster.exchange=peer", "training.maxSteps=25");
        Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref"), CONFIG, "cluster.engine=reference",
                "training.maxSteps=25");
        assertEquals(25, run.summary().get("steps").asLong());
        assertEquals(reference.sha(), run.sha());
        // the context is usable at once: the stage's tasks have ended, none holds the executors' slots
        Runs.Result next = Runs.train(SPARK.context(), tmp.resolve("next"), CONFIG, "cluster.engine=sync",
                "training.maxSteps=5");
        assertEquals(5, next.summary().get("steps").asLong());
    }
}

package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker task that dies mid-epoch: Spark retries the barrier stage, the parameter server re-registers the new
 * attempt's workers and replays the unapplied step; the result is bitwise the uninterrupted run's.
 */
class SyncFaultToleranceTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model: {layers: [{units: 16}]}",
            "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2}",
            "training: {epochs: 2, batchSize: 64, seed: 11}",
            "optimizer: {type: adam, learningRate: 0.01}",
            "cluster: {engine: sync, workers: 2, stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    @Test
    void aWorkerKilledMidTrainingIsRetriedAndTheResultIsBitwiseTheUninterruptedOne() throws Exception {
        Runs.Result clean = Runs.train(SPARK.context(), tmp.resolve("clean"), CONFIG);
        Runs.Result faulty = Runs.train(SPARK.context(), tmp.resolve("faulty"), CONFIG,
                "cluster.faultInjection.worker=1", "cluster.faultInjection.step=25");
        assertEquals(clean.summary().get("steps").asLong(), faulty.summary().get("steps").asLong());
        assertEquals(clean.sha(), faulty.sha());
    }
}

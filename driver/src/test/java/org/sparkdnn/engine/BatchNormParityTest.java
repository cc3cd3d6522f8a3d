package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.metrics.ParamsDiff;
import org.sparkdnn.model.SyncBatchNormalizationLayer;

/**
 * The exactness invariant with BatchNorm: a CNN on the 8x8 digits with BatchNorm after a conv layer, inside a residual
 * conv block (after both convolutions and on the projection) and after a dense layer, with dropout. Batch 157: uneven
 * shards for k = 2..4, and a last batch of 2 rows — one-example shards, and empty ones for k = 3, 4. {@code sync} with
 * the driver exchange and with the peer exchange (overlap on) equals {@code reference} bitwise for k = 1..4, and all
 * are within 1e-10 of {@code local} (one process on the whole batch), the running statistics included: per-shard
 * statistics would differ from local by far more.
 */
class BatchNormParityTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model:",
            "  dataType: double",
            "  inputShape: [1, 8, 8]",
            "  layers:",
            "    - {type: conv2d, filters: 4, kernel: 3, padding: same}",
            "    - {type: batchNorm, activation: relu}",
            "    - {type: maxPool}",
            "    - {type: residualConv, filters: 6, stride: 2, batchNorm: true}",
            "    - {units: 16, dropout: 0.2}",
            "    - {type: batchNorm}",
            "optimizer: {type: adam, learningRate: 0.01}",
            "data:",
            "  train: 'embedded:digits'",
            "  numClasses: 10",
            "  scaling: standardize",
            "  testFraction: 0.2",
            "  validationFraction: 0.1",
            "training: {epochs: 1, batchSize: 157, seed: 7, logEvery: 1000, gradientNormsEvery: 0}",
            "checkpoint: {everyEpochs: 0}",
            "cluster: {stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    @Test
    void syncEqualsReferenceBitwiseForOneToFourWorkersAndLocalWithin1e10() throws Exception {
        Runs.Result local = Runs.train(null, tmp.resolve("local"), CONFIG, "cluster.engine=local");
        assertEquals(9, local.summary().get("steps").asLong());
        assertTrue(layerClass(local).contains("SyncBatchNormalization"), "local trains the synchronized layer");
        for (int k = 1; k <= 4; k++) {
            String workers = "cluster.workers=" + k;
            Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref" + k), CONFIG, workers,
                    "cluster.engine=reference");
            Runs.Result driver = Runs.train(SPARK.context(), tmp.resolve("driver" + k), CONFIG, workers,
                    "cluster.engine=sync", "cluster.exchange=driver");
            Runs.Result peer = Runs.train(SPARK.context(), tmp.resolve("peer" + k), CONFIG, workers,
                    "cluster.engine=sync", "cluster.exchange=peer", "cluster.peer.overlap=true");
            assertEquals(reference.sha(), driver.sha(), "k=" + k + ": sync (driver) differs from reference");
            assertEquals(reference.sha(), peer.sha(), "k=" + k + ": sync (peer, overlap) differs from reference");
            ParamsDiff diff = ParamsDiff.of(local.params(), reference.params());
            System.out.printf("BatchNorm parity k=%d: max rel diff vs local %.3e (abs %.3e)%n", k, diff.maxRel(),
                    diff.maxAbs());
            assertTrue(diff.maxRel() <= 1e-10, "k=" + k + ": max rel diff vs local " + diff.maxRel());
        }
    }

    /** Float: the same bytes from every exchange (the peer one without overlap here) and the reference engine. */
    @Test
    void floatSyncEqualsReferenceBitwise() throws Exception {
        String[] common = {"model.dataType=float", "cluster.workers=3"};
        Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref"), CONFIG,
                Runs.with(common, "cluster.engine=reference"));
        Runs.Result driver = Runs.train(SPARK.context(), tmp.resolve("driver"), CONFIG,
                Runs.with(common, "cluster.engine=sync", "cluster.exchange=driver"));
        Runs.Result peer = Runs.train(SPARK.context(), tmp.resolve("peer"), CONFIG,
                Runs.with(common, "cluster.engine=sync", "cluster.exchange=peer", "cluster.peer.overlap=false"));
        // overlap with many small buckets (one shard empty in the last batch): the BatchNorm collectives run between
        // buckets on the exchange thread, at the same point of the bucket sequence on every worker
        Runs.Result buckets = Runs.train(SPARK.context(), tmp.resolve("buckets"), CONFIG,
                Runs.with(common, "cluster.engine=sync", "cluster.exchange=peer", "cluster.peer.overlap=true",
                        "cluster.peer.bucketMB=0.0005"));
        assertTrue(buckets.summary().at("/engineStats/buckets").asInt() >= 8, buckets.summary().toString());
        assertEquals(reference.sha(), driver.sha(), "float: sync (driver) differs from reference");
        assertEquals(reference.sha(), peer.sha(), "float: sync (peer) differs from reference");
        assertEquals(reference.sha(), buckets.sha(), "float: sync (peer, overlap, small buckets) differs");
        Runs.Result local = Runs.train(null, tmp.resolve("local"), CONFIG, "model.dataType=float",
                "cluster.engine=local");
        double accuracy = reference.summary().get("test").get("accuracy").asDouble();
        System.out.printf("BatchNorm float k=3: test accuracy %.4f (local %.4f), max rel diff vs local %.3e%n",
                accuracy, local.summary().get("test").get("accuracy").asDouble(),
                ParamsDiff.of(local.params(), reference.params()).maxRel());
        assertTrue(accuracy > 0.25, "the BatchNorm CNN learns (chance is 0.1) in its 9 steps: test accuracy " + accuracy);
    }

    private static String layerClass(Runs.Result run) throws Exception {
        try (InputStream in = Files.newInputStream(run.dir().resolve("model.zip"))) {
            ComputationGraph net = ModelSerializer.restoreComputationGraph(in, false);
            return net.getLayer("layer1_bn") instanceof SyncBatchNormalizationLayer ? "SyncBatchNormalization"
                    : net.getLayer("layer1_bn").getClass().getName();
        }
    }
}

package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.metrics.ParamsDiff;

/**
 * The exactness invariant for an image model: a small ResNet-style CNN on the 8x8 digits (conv, max pool, dropout on
 * image activations, a residual conv block with a projection, dense + dropout) with every augmentation on, in
 * double. Batch 157 over 1258 rows: uneven shards for k = 2..4 and a last batch of 2 rows, fewer than k = 3, 4.
 * {@code sync} (both exchanges; the peer one with overlap) equals {@code reference} bitwise for k = 1..4, and all are
 * within 1e-10 of {@code local} — augmentation and dropout keyed by the example's place in its global batch, not by
 * the worker.
 */
class ImageModelParityTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model:",
            "  dataType: double",
            "  inputShape: [1, 8, 8]",
            "  layers:",
            "    - {type: conv2d, filters: 4, kernel: 3, padding: same, dropout: 0.2}",
            "    - {type: maxPool}",
            "    - {type: residualConv, filters: 6, stride: 2}",
            "    - {units: 16, dropout: 0.2}",
            "data:",
            "  train: 'embedded:digits'",
            "  numClasses: 10",
            "  scaling: standardize",
            "  testFraction: 0.2",
            "  validationFraction: 0.1",
            "  augment: {randomCrop: {padding: 1}, horizontalFlip: true, shift: {pixels: 1}, rotate: {degrees: 10},"
                    + " gaussianNoise: {std: 0.1}}",
            "training: {epochs: 2, batchSize: 157, seed: 7, logEvery: 1000, gradientNormsEvery: 0}",
            "checkpoint: {everyEpochs: 0}",
            "cluster: {stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    @Test
    void syncEqualsReferenceBitwiseForOneToFourWorkersAndLocalWithin1e10() throws Exception {
        check("adam", 0.005, 1, 4);
    }

    @Test
    void aSecondOptimizerWithThreeWorkers() throws Exception {
        check("nesterov", 0.05, 3, 3);
    }

    private void check(String optimizer, double lr, int fromK, int toK) throws Exception {
        String opt = "optimizer.type=" + optimizer;
        String rate = "optimizer.learningRate=" + lr;
        Runs.Result local = Runs.train(null, tmp.resolve("local"), CONFIG, opt, rate, "cluster.engine=local");
        assertEquals(18, local.summary().get("steps").asLong());
        Runs.Result plain = Runs.train(null, tmp.resolve("plain"), CONFIG, opt, rate, "cluster.engine=local",
                "data.augment={}");
        assertTrue(ParamsDiff.of(local.params(), plain.params()).maxRel() > 1e-3, "augmentation was applied");
        // the report shows 8 training examples before and after augmentation and the 4 filters of the first conv layer
        String report = java.nio.file.Files.readString(local.dir().resolve("report.html"));
        assertTrue(report.contains("<h2>Images</h2>"), "the report has an Images section");
        assertEquals(8 * 2 + 4, report.split("<img src=\"data:image/png;base64,", -1).length - 1, "pictures");
        for (int k = fromK; k <= toK; k++) {
            String workers = "cluster.workers=" + k;
            Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref" + k), CONFIG, opt, rate, workers,
                    "cluster.engine=reference");
            Runs.Result driver = Runs.train(SPARK.context(), tmp.resolve("driver" + k), CONFIG, opt, rate, workers,
                    "cluster.engine=sync", "cluster.exchange=driver");
            Runs.Result peer = Runs.train(SPARK.context(), tmp.resolve("peer" + k), CONFIG, opt, rate, workers,
                    "cluster.engine=sync", "cluster.exchange=peer", "cluster.peer.overlap=true");
            assertEquals(reference.sha(), driver.sha(), optimizer + ", k=" + k + ": sync (driver) differs from reference");
            assertEquals(reference.sha(), peer.sha(), optimizer + ", k=" + k + ": sync (peer, overlap) differs from reference");
            ParamsDiff diff = ParamsDiff.of(local.params(), reference.params());
            System.out.printf("image parity %s k=%d: max rel diff vs local %.3e (abs %.3e)%n", optimizer, k,
                    diff.maxRel(), diff.maxAbs());
            assertTrue(diff.maxRel() <= 1e-10, optimizer + ", k=" + k + ": max rel diff vs local " + diff.maxRel());
        }
    }
}

package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code cluster.exchange: peer}: the workers sum their gradients among themselves (reduce-scatter in worker order,
 * all-gather) and each applies DL4J's updater to its replica; the driver's master catches up at checkpoints and
 * epoch ends. The result must be bitwise {@code reference}'s — every optimizer with l2, weight decay and per-layer
 * clipping, k = 1..4 with uneven shards (batch 50 over 1258 rows; an epoch's last batch has 8 rows), in double.
 */
class PeerExchangeTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model: {dataType: double, layers: [{units: 16}], activation: tanh, weightInit: xavier}",
            "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2, validationFraction: 0.1}",
            "training: {epochs: 2, batchSize: 50, seed: 7, logEvery: 1000, gradientNormsEvery: 5}",
            "optimizer: {learningRate: 0.05, l2: 0.0001, weightDecay: 0.0002, clipNorm: 0.5}",
            "cluster: {stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"})
    void peerEqualsReferenceBitwiseForOneToFourWorkers(String optimizer) throws Exception {
        String opt = "optimizer.type=" + optimizer;
        String lr = "optimizer.learningRate=" + (optimizer.startsWith("ada") || optimizer.equals("rmsprop") ? 0.005 : 0.05);
        for (int k = 1; k <= 4; k++) {
            String workers = "cluster.workers=" + k;
            Runs.Result peer = Runs.train(SPARK.context(), tmp.resolve("peer" + k), CONFIG, opt, lr, workers,
                    "cluster.engine=sync", "cluster.exchange=peer");
            Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref" + k), CONFIG, opt, lr, workers,
                    "cluster.engine=reference");
            assertEquals(52, peer.summary().get("steps").asLong());
            assertEquals(reference.sha(), peer.sha(), optimizer + ", k=" + k + ": peer differs from reference");
            assertEquals("peer", peer.summary().at("/engineStats/exchange").asText());
        }
    }
}

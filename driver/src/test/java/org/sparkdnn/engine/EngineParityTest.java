package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdnn.metrics.ParamsDiff;

/**
 * The defining invariant: k workers give the same parameters as one process. For every optimizer, 52 steps on the
 * digits (batch 50 over 1258 rows: shards of 50/3 and 50/4 are uneven, the last batch of an epoch has 8 rows), in
 * double precision: {@code sync} equals {@code reference} bitwise for k = 1..4, and both are within 1e-10 (relative,
 * as {@code compare} prints it) of the {@code local} engine's plain whole-batch DL4J training.
 */
class EngineParityTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture();

    static final String CONFIG = String.join("\n",
            "model: {dataType: double, layers: [{units: 16}], activation: tanh, weightInit: xavier}",
            "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2, validationFraction: 0.1}",
            "training: {epochs: 2, batchSize: 50, seed: 7, logEvery: 1000}",
            "optimizer: {learningRate: 0.05, l2: 0.0001}",
            "cluster: {stepTimeoutSeconds: 60}");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"})
    void syncEqualsReferenceBitwiseAndLocalWithin1e10ForOneToFourWorkers(String optimizer) throws Exception {
        String opt = "optimizer.type=" + optimizer;
        String lr = "optimizer.learningRate=" + (optimizer.startsWith("ada") || optimizer.equals("rmsprop") ? 0.005 : 0.05);
        Runs.Result local = Runs.train(null, tmp.resolve("local"), CONFIG, opt, lr, "cluster.engine=local");
        assertEquals(52, local.summary().get("steps").asLong());
        for (int k = 1; k <= 4; k++) {
            String workers = "cluster.workers=" + k;
            // the driver exchange here; PeerExchangeTest checks the peer exchange (the default) the same way
            Runs.Result sync = Runs.train(SPARK.context(), tmp.resolve("sync" + k), CONFIG, opt, lr, workers,
                    "cluster.engine=sync", "cluster.exchange=driver");
            Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref" + k), CONFIG, opt, lr, workers,
                    "cluster.engine=reference");
            assertEquals(reference.sha(), sync.sha(), optimizer + ", k=" + k + ": sync differs from reference");
            ParamsDiff diff = ParamsDiff.of(local.params(), sync.params());
            System.out.printf("parity %s k=%d: max rel diff vs local %.3e (abs %.3e)%n", optimizer, k, diff.maxRel(),
                    diff.maxAbs());
            assertTrue(diff.maxRel() <= 1e-10, optimizer + ", k=" + k + ": max rel diff vs local " + diff.maxRel());
            assertTrue(diff.maxRel() > 0 || k == 1 || diff.maxAbs() == 0, "diff computed");
        }
    }

    /**
     * The quick start as shipped (dropout 0.2 on both hidden layers), in double: dropout masks are keyed by the
     * example's position in its global batch, not by the worker, so sharding changes nothing — {@code sync} equals
     * {@code reference} bitwise for k = 3 (uneven shards 11/11/10) and both are within 1e-10 of {@code local}.
     */
    @org.junit.jupiter.api.Test
    void theQuickStartAsShippedWithDropoutIsExactForThreeWorkers() throws Exception {
        String quickStart = java.nio.file.Files.readString(Path.of("../conf/digits.yaml"));
        assertTrue(quickStart.contains("dropout: 0.2"), "the quick start ships with dropout");
        String[] sets = {"model.dataType=double", "training.epochs=2", "training.patience=0", "cluster.workers=3",
                "training.gradientNormsEvery=0", "checkpoint.everyEpochs=0"};
        Runs.Result local = Runs.train(null, tmp.resolve("local"), quickStart, Runs.with(sets, "cluster.engine=local"));
        Runs.Result sync = Runs.train(SPARK.context(), tmp.resolve("sync"), quickStart, Runs.with(sets, "cluster.engine=sync"));
        Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref"), quickStart,
                Runs.with(sets, "cluster.engine=reference"));
        assertEquals(80, sync.summary().get("steps").asLong());
        assertEquals(reference.sha(), sync.sha(), "sync differs from reference with dropout");
        ParamsDiff diff = ParamsDiff.of(local.params(), sync.params());
        System.out.printf("quick start with dropout 0.2, k=3: max rel diff vs local %.3e%n", diff.maxRel());
        assertTrue(diff.maxRel() <= 1e-10, "max rel diff vs local " + diff.maxRel());
        Runs.Result noDropout = Runs.train(null, tmp.resolve("nodrop"), quickStart,
                Runs.with(sets, "cluster.engine=local", "model.dropout=0"));
        assertTrue(ParamsDiff.of(local.params(), noDropout.params()).maxRel() > 1e-3, "dropout was applied");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"step", "exponential", "inverseSqrt", "cosine"})
    void everyScheduleWithWarmupShipsToTheWorkersAndSyncEqualsReferenceBitwise(String schedule) throws Exception {
        String[] sets = {"optimizer.type=momentum", "optimizer.schedule.type=" + schedule,
                "optimizer.schedule.warmupSteps=10", "optimizer.schedule.stepSize=20", "cluster.workers=2"};
        String[] sync = java.util.stream.Stream.concat(java.util.Arrays.stream(sets), java.util.stream.Stream.of(
                "cluster.engine=sync")).toArray(String[]::new);
        String[] reference = java.util.stream.Stream.concat(java.util.Arrays.stream(sets), java.util.stream.Stream.of(
                "cluster.engine=reference")).toArray(String[]::new);
        Runs.Result s = Runs.train(SPARK.context(), tmp.resolve("sync"), CONFIG, sync);
        Runs.Result r = Runs.train(SPARK.context(), tmp.resolve("ref"), CONFIG, reference);
        assertEquals(52, s.summary().get("steps").asLong());
        assertEquals(r.sha(), s.sha(), schedule + " with warmup: sync differs from reference");
    }

    @org.junit.jupiter.api.Test
    void bothDataPlacementsGiveTheSameParametersBitwise() throws Exception {
        String[] common = {"optimizer.type=adam", "optimizer.learningRate=0.005", "cluster.workers=3",
                "cluster.engine=sync"};
        Runs.Result broadcast = Runs.train(SPARK.context(), tmp.resolve("broadcast"), CONFIG,
                append(common, "cluster.dataPlacement=broadcast"));
        Runs.Result shuffle = Runs.train(SPARK.context(), tmp.resolve("shuffle"), CONFIG,
                append(common, "cluster.dataPlacement=shuffle"));
        assertEquals(broadcast.sha(), shuffle.sha());
    }

    private static String[] append(String[] a, String b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + 1);
        all[a.length] = b;
        return all;
    }
}

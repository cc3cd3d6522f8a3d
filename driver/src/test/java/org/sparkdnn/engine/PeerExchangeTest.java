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
        assertEqualsReferenceForOneToFourWorkers(optimizer, "replicated");
    }

    /** peer with peerUpdate {@code update} == reference bitwise for k = 1..4 (both with {@code sets}), 52 steps each. */
    private void assertEqualsReferenceForOneToFourWorkers(String optimizer, String update, String... sets)
            throws Exception {
        String opt = "optimizer.type=" + optimizer;
        String lr = "optimizer.learningRate=" + (optimizer.startsWith("ada") || optimizer.equals("rmsprop") ? 0.005 : 0.05);
        for (int k = 1; k <= 4; k++) {
            String[] common = Runs.with(sets, opt, lr, "cluster.workers=" + k);
            Runs.Result peer = Runs.train(SPARK.context(), tmp.resolve(update + k), CONFIG, Runs.with(common,
                    "cluster.engine=sync", "cluster.exchange=peer", "cluster.peer.update=" + update));
            Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("ref-" + update + k), CONFIG,
                    Runs.with(common, "cluster.engine=reference"));
            assertEquals(52, peer.summary().get("steps").asLong());
            assertEquals("peer", peer.summary().at("/engineStats/exchange").asText());
            assertEquals(update, peer.summary().at("/engineStats/peerUpdate").asText());
            assertEquals(update.equals("owner"), peer.summary().at("/engineStats/overlap").asBoolean());
            assertEquals(reference.sha(), peer.sha(), optimizer + ", " + update + ", k=" + k + ": differs from reference");
        }
    }

    /**
     * Owner slices ({@code cluster.peer.update: owner}): each worker updates its 1/k of the parameters with its 1/k of
     * the optimizer state and the workers all-gather the parameters; without per-layer clipping, which a slice cannot
     * do. Bitwise {@code reference} for every optimizer with l2 and weight decay, k = 1..4; the master's optimizer
     * state, put together from the k slices at each catch-up, is what the checkpoints hold (the resumed run's
     * parameters would differ otherwise: see ExactResumeTest).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"})
    void ownerSlicesEqualReferenceBitwiseForOneToFourWorkers(String optimizer) throws Exception {
        assertEqualsReferenceForOneToFourWorkers(optimizer, "owner", "optimizer.clipNorm=0", "checkpoint.everySteps=10",
                "cluster.peer.bucketMB=0.0008"); // 104 doubles: 12 buckets, the exchange overlapped with both passes
    }

    /**
     * Owner slices over a fine-tuned model whose first layer is frozen: its updater block keeps no state (DL4J's NoOp)
     * beside Adam's blocks, and k = 3 slices cut across them. Bitwise {@code reference}, the frozen layer unchanged.
     */
    @Test
    void ownerSlicesFineTuneAModelWithAFrozenLayerBitwiseAsReference() throws Exception {
        String[] sets = {"optimizer.type=adam", "optimizer.learningRate=0.005", "optimizer.clipNorm=0",
                "cluster.workers=3", "checkpoint.everySteps=10"};
        Runs.Result source = Runs.train(SPARK.context(), tmp.resolve("source"), CONFIG, Runs.with(sets,
                "cluster.engine=reference", "training.maxSteps=20"));
        String[] tune = Runs.with(sets, "model.init=" + source.dir().resolve("model.zip"), "model.freezeLayers=1",
                "training.seed=99");
        Runs.Result owner = Runs.train(SPARK.context(), tmp.resolve("owner"), CONFIG, Runs.with(tune,
                "cluster.engine=sync", "cluster.exchange=peer"));
        Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("reference"), CONFIG, Runs.with(tune,
                "cluster.engine=reference"));
        assertEquals("owner", owner.summary().at("/engineStats/peerUpdate").asText());
        assertEquals(reference.sha(), owner.sha());
        assertTrue(!source.sha().equals(owner.sha()), "the unfrozen layers trained");
    }

    /** auto: owner slices unless the model clips per layer (this test's CONFIG does), then the replicated update. */
    @Test
    void autoPicksOwnerSlicesUnlessTheModelClipsPerLayer() throws Exception {
        Runs.Result clipping = Runs.train(SPARK.context(), tmp.resolve("clip"), CONFIG, "cluster.engine=sync",
                "cluster.exchange=peer", "training.maxSteps=3");
        assertEquals("replicated", clipping.summary().at("/engineStats/peerUpdate").asText());
        Runs.Result plain = Runs.train(SPARK.context(), tmp.resolve("plain"), CONFIG, "cluster.engine=sync",
                "cluster.exchange=peer", "training.maxSteps=3", "optimizer.clipNorm=0");
        assertEquals("owner", plain.summary().at("/engineStats/peerUpdate").asText());
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Runs.train(SPARK.context(),
                tmp.resolve("bad"), CONFIG, "cluster.engine=sync", "cluster.exchange=peer", "cluster.peer.update=owner"));
        assertTrue(e.getMessage().contains("cluster.peer.update") && e.getMessage().contains("clipNorm"),
                e.getMessage());
    }

    /**
     * Worker 1 throws at step 25 (mid-epoch 1, after a checkpoint made the master catch up at step 20): Spark retries
     * the barrier stage, whose workers continue from the master's state and replay steps 20..24; the result and the
     * recorded gradient norms are bitwise the uninterrupted run's, and both equal {@code exchange: driver}'s. Owner
     * slices in 12 buckets, their exchange overlapped with computation and, for contrast, not.
     */
    @ParameterizedTest(name = "peerUpdate {0}")
    @ValueSource(strings = {"replicated", "owner", "owner overlap=false"})
    void aWorkerLostMidEpochIsRetriedFromTheMastersStateAndTheResultIsBitwiseTheUninterruptedOne(String variant)
            throws Exception {
        String update = variant.split(" ")[0];
        String[] sets = {"optimizer.type=adam", "optimizer.learningRate=0.005", "cluster.workers=3",
                "cluster.engine=sync", "cluster.exchange=peer", "checkpoint.everySteps=20",
                "cluster.peer.update=" + update, "optimizer.clipNorm=" + (update.equals("owner") ? 0 : 0.5),
                "cluster.peer.bucketMB=" + (update.equals("owner") ? 0.0008 : 25),
                "cluster.peer.overlap=" + !variant.endsWith("overlap=false")};
        Runs.Result clean = Runs.train(SPARK.context(), tmp.resolve("clean"), CONFIG, sets);
        Runs.Result faulty = Runs.train(SPARK.context(), tmp.resolve("faulty"), CONFIG, Runs.with(sets,
                "cluster.faultInjection.worker=1", "cluster.faultInjection.step=25"));
        assertEquals(clean.sha(), faulty.sha());
        assertEquals(0, clean.summary().at("/engineStats/stepsReplayed").asLong());
        assertEquals(5, faulty.summary().at("/engineStats/stepsReplayed").asLong(),
                "steps 20..24 replayed: " + faulty.summary().get("engineStats"));
        String cleanNorms = normsRecords(clean);
        assertTrue(cleanNorms.contains("\"norms\":{\"layer0\""), cleanNorms.substring(0, Math.min(300, cleanNorms.length())));
        assertEquals(cleanNorms, normsRecords(faulty));
        // worker 0's norms of the summed gradient are the driver's, to the last digit
        String[] driverSets = java.util.Arrays.stream(sets).filter(x -> !x.startsWith("cluster.peer.update")
                        && !x.startsWith("cluster.peer.bucketMB") && !x.startsWith("cluster.peer.overlap"))
                .toArray(String[]::new);
        Runs.Result driver = Runs.train(SPARK.context(), tmp.resolve("driver"), CONFIG, Runs.with(driverSets,
                "cluster.exchange=driver"));
        assertEquals(driver.sha(), clean.sha());
        assertEquals(normsRecords(driver), cleanNorms);
    }

    private static String normsRecords(Runs.Result run) throws Exception {
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(run.dir().resolve("metrics.jsonl"))) {
            return lines.filter(l -> l.contains("\"gradientNorms\"")).collect(java.util.stream.Collectors.joining("\n"));
        }
    }

    /** A diverging peer run stops with a message and its last checkpoint holds finite parameters. */
    @Test
    void divergenceStopsAPeerRunAndTheLastCheckpointIsFinite() throws Exception {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> Runs.train(SPARK.context(),
                tmp.resolve("nan"), CONFIG, "cluster.engine=sync", "cluster.exchange=peer", "optimizer.type=sgd",
                "optimizer.learningRate=1e30", "optimizer.clipNorm=0", "checkpoint.everySteps=1"));
        assertTrue(e.getMessage().contains("training diverged at step"), e.getMessage());
        java.util.List<String> problems = new java.util.ArrayList<>();
        org.sparkdnn.checkpoint.Checkpoint last = new org.sparkdnn.checkpoint.CheckpointStore(
                tmp.resolve("nan/checkpoints").toString(), new org.apache.hadoop.conf.Configuration(),
                new org.sparkdnn.config.ConfigLoader().json()).loadLatestValid(problems).orElseThrow();
        assertTrue(problems.isEmpty(), problems.toString());
        assertTrue(last.manifest().step() >= 1, "a checkpoint was written before the divergence");
        org.deeplearning4j.nn.graph.ComputationGraph net = org.deeplearning4j.util.ModelSerializer
                .restoreComputationGraph(new java.io.ByteArrayInputStream(last.model()), false);
        assertTrue(Double.isFinite(net.params().sumNumber().doubleValue()), "the last checkpoint holds finite parameters");
    }
}

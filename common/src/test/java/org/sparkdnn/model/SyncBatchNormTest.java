package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;

/**
 * The synchronized BatchNorm: on one process it is DL4J's BatchNormalization (double, within 1e-10: forward, backward,
 * running statistics, inference); sharded over k workers whose statistics go through {@link BatchNormExchange}, the
 * worker-order sum of the shard gradients is the one-process gradient of the whole batch (within 1e-10), which
 * per-shard statistics miss by far.
 */
class SyncBatchNormTest {
    /** BatchNorm after a dense layer (per feature) and after a conv layer (per channel over N·H·W). */
    private static final String DENSE = "{dataType: double, layers: [{type: dense, units: 12}, {type: batchNorm},"
            + " {type: dense, units: 9, activation: tanh}, {type: batchNorm, activation: relu}]}";
    private static final String CONV = "{dataType: double, layers: [{type: conv2d, filters: 4, kernel: 3},"
            + " {type: batchNorm, activation: relu}, {type: maxPool}, {type: residualConv, filters: 6, batchNorm: true},"
            + " {type: globalAvgPool}, {type: dense, units: 7}, {type: batchNorm}]}";

    private static ComputationGraph dl4j(String model) {
        RunConfig config = new ConfigLoader().parse("test.yaml", "model: " + model
                + "\noptimizer: {type: momentum, learningRate: 0.1}\ndata: {train: 'embedded:digits'}\n", List.of());
        return new ModelFactory(config.model(), config.optimizer(), 7, 100)
                .build(new IoShape(64, 10, List.of(1, 8, 8)), Storage.withDefaults());
    }

    private static ComputationGraph sync(ComputationGraph net) {
        List<String> replaced = new ArrayList<>();
        ComputationGraph sync = SyncBatchNormalization.synchronize(net, replaced);
        assertTrue(!replaced.isEmpty(), "no BatchNormalization replaced");
        for (String name : replaced) {
            assertInstanceOf(SyncBatchNormalizationLayer.class, sync.getLayer(name));
        }
        return sync;
    }

    private static DataSet batch(int rows, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.DOUBLE, rows, 64).muli(3).subi(1);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, rows, 10);
        for (int i = 0; i < rows; i++) {
            y.putScalar(i, (i * 7 + seed) % 10, 1.0);
        }
        return new DataSet(x, y);
    }

    private static double[] gradient(ComputationGraph net, DataSet data) {
        net.setInputs(data.getFeatures());
        net.setLabels(data.getLabels());
        net.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
        return net.getFlattenedGradients().dup().data().asDouble();
    }

    /** max |a − b| ≤ relative · max(|a|, 1e-300), printed. */
    private static double assertClose(String what, double relative, double[] a, double[] b) {
        assertEquals(a.length, b.length, what + ": lengths");
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        System.out.printf("sync BatchNorm, %s: max |Δ| %.3e of max %.3e%n", what, worst, scale);
        assertTrue(worst <= relative * Math.max(scale, 1e-300), what + ": max abs diff " + worst + " of " + scale);
        return worst / Math.max(scale, 1e-300);
    }

    @Test
    void equalsDl4jBatchNormalizationOnOneProcessDense() {
        equalsDl4j(DENSE);
    }

    @Test
    void equalsDl4jBatchNormalizationOnOneProcessConv() {
        equalsDl4j(CONV);
    }

    private static void equalsDl4j(String model) {
        ComputationGraph plain = dl4j(model);
        ComputationGraph sync = sync(plain.clone());
        assertClose("parameters at init", 0, plain.params().data().asDouble(), sync.params().data().asDouble());
        DataSet data = batch(20, 1);
        // the gradient of every parameter, the running statistics' pseudo-gradients included
        assertClose("gradient", 1e-10, gradient(plain, data), gradient(sync, data));
        assertEquals(plain.score(), sync.score(), 1e-12 * Math.abs(plain.score()));
        // training steps (DL4J's updater applies γ/β and the running statistics), then inference mode
        for (int s = 0; s < 4; s++) {
            DataSet step = batch(16 + s, 10 + s);
            plain.fit(step);
            sync.fit(step);
        }
        assertClose("parameters after 4 steps", 1e-10, plain.params().data().asDouble(),
                sync.params().data().asDouble());
        INDArray x = batch(9, 99).getFeatures();
        assertClose("inference output", 1e-10, plain.outputSingle(false, x).data().asDouble(),
                sync.outputSingle(false, x).data().asDouble());
        assertClose("training-mode output", 1e-10, plain.outputSingle(true, x).data().asDouble(),
                sync.outputSingle(true, x).data().asDouble());
    }

    /**
     * A batchNorm's activation is applied (DL4J's BatchNormalization ignores its own: an ActivationLayer follows it),
     * in the YAML batchNorm and inside residualConv.
     */
    @Test
    void aBatchNormsActivationIsApplied() {
        ComputationGraph dense = sync(dl4j(DENSE));
        java.util.Map<String, INDArray> acts = dense.feedForward(batch(20, 4).getFeatures(), true);
        INDArray relu = acts.get("layer3");
        assertTrue(relu.minNumber().doubleValue() >= 0 && relu.maxNumber().doubleValue() > 0,
                "layer3 (batchNorm, relu) has negative outputs");
        assertTrue(acts.get("layer3_bn").minNumber().doubleValue() < 0, "the BatchNorm itself is not rectified");
        ComputationGraph conv = sync(dl4j(CONV));
        assertTrue(conv.getVertex("layer3_a_act") != null, "residualConv applies its activation after the first BN");
        INDArray inner = conv.feedForward(batch(6, 5).getFeatures(), true).get("layer3_a_act");
        assertTrue(inner.minNumber().doubleValue() >= 0, "the residual block's inner activation (relu) is applied");
    }

    @Test
    void dl4jFormRoundTripsThroughJsonAndBack() {
        ComputationGraph sync = sync(dl4j(CONV));
        ComputationGraph reloaded = new ComputationGraph(
                org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(sync.getConfiguration().toJson()));
        reloaded.init(sync.params().dup(), false);
        assertInstanceOf(SyncBatchNormalizationLayer.class, reloaded.getLayer("layer1_bn"));
        ComputationGraph plain = SyncBatchNormalization.toDl4j(sync);
        assertEquals(BatchNormalization.class, plain.getLayer("layer1_bn").conf().getLayer().getClass());
        INDArray x = batch(5, 3).getFeatures();
        assertClose("plain DL4J form, inference", 1e-10, sync.outputSingle(false, x).data().asDouble(),
                plain.outputSingle(false, x).data().asDouble());
    }

    /**
     * Shards of 11 rows (uneven), 1 row, and none: k workers on threads, each with its own replica, exchanging
     * through an in-memory all-gather.
     */
    @Test
    void shardedGradientEqualsOneProcessGradient() throws Exception {
        for (String model : List.of(DENSE, CONV)) {
            ComputationGraph net = sync(dl4j(model));
            for (int[] shards : List.of(new int[] {23}, new int[] {12, 11}, new int[] {11, 11, 1},
                    new int[] {8, 8, 7, 0}, new int[] {1, 22})) {
                int rows = Arrays.stream(shards).sum();
                DataSet data = batch(rows, 5);
                double[] whole = gradient(net.clone(), data);
                double[] summed = sharded(net, data, shards, true);
                assertClose(model.substring(0, 30) + "… shards " + Arrays.toString(shards), 1e-10, whole, summed);
                if (shards.length > 1 && shards[shards.length - 1] > 1) {
                    double[] perShard = sharded(net, data, shards, false);
                    double scale = Arrays.stream(whole).map(Math::abs).max().orElse(0);
                    double worst = IntStream.range(0, whole.length).mapToDouble(i -> Math.abs(whole[i] - perShard[i]))
                            .max().orElse(0);
                    assertTrue(worst > 1e-3 * scale, "per-shard statistics would pass too: " + worst);
                }
            }
        }
    }

    /** The worker-order sum of the shards' gradients, with the exchange ({@code exchange}) or per-shard statistics. */
    private static double[] sharded(ComputationGraph net, DataSet data, int[] shards, boolean exchange)
            throws Exception {
        int k = shards.length;
        CyclicBarrier barrier = new CyclicBarrier(k);
        double[][][] slots = new double[1][k][];
        ExecutorService pool = Executors.newFixedThreadPool(k);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            int from = 0;
            for (int w = 0; w < k; w++) {
                int worker = w;
                int start = from;
                int rows = shards[w];
                from += rows;
                ComputationGraph replica = net.clone();
                BatchNormExchange.Exchange memory = (step, pass, mine) -> {
                    try {
                        slots[0][worker] = mine;
                        barrier.await();
                        BatchNormExchange.Merged merged = BatchNormExchange.merge(List.of(slots[0]));
                        barrier.await();
                        return merged;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                };
                futures.add(pool.submit(() -> {
                    if (rows == 0) {
                        BatchNormExchange.with(0, worker, memory, () -> {
                            BatchNormExchange.idle(replica);
                            return null;
                        });
                        return new double[(int) replica.numParams()];
                    }
                    DataSet shard = new DataSet(
                            data.getFeatures().get(NDArrayIndex.interval(start, start + rows), NDArrayIndex.all()),
                            data.getLabels().get(NDArrayIndex.interval(start, start + rows), NDArrayIndex.all()));
                    return exchange ? BatchNormExchange.with(0, worker, memory, () -> gradient(replica, shard))
                            : gradient(replica, shard);
                }));
            }
            double[] sum = futures.get(0).get().clone();
            for (int w = 1; w < k; w++) {
                double[] g = futures.get(w).get();
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += g[i];
                }
            }
            return sum;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void mergeIsChansPairwiseFormulaInWorkerOrder() {
        // two shards of one channel: {1, 2, 3} and {10}; global mean 4, M2 = 9 + 4 + 1 + 36 = 50
        double[] a = BatchNormExchange.vector(3, true, 3, 1);
        a[3] = 2;
        a[4] = 2;
        double[] b = BatchNormExchange.vector(3, true, 1, 1);
        b[3] = 10;
        double[] empty = BatchNormExchange.vector(3, true, 0, 1);
        BatchNormExchange.Merged m = BatchNormExchange.merge(List.of(empty, a, b));
        assertEquals(4.0, m.count());
        assertEquals(4.0, m.a(0), 1e-15);
        assertEquals(50.0, m.b(0), 1e-13);
        assertEquals(1, m.writer(), "the first worker with rows writes the running statistics");
        double[] other = BatchNormExchange.vector(4, true, 1, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchNormExchange.merge(List.of(a, other)));
        assertTrue(e.getMessage().contains("layer 4"), e.getMessage());
    }
}

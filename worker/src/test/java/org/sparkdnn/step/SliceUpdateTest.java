package org.sparkdnn.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.model.IoShape;
import org.sparkdnn.model.ModelFactory;

/**
 * Owner slices: updating a network slice by slice ({@link SliceUpdate}, k slices of the flat parameters, cut across
 * layers, variables and updater blocks) must give bitwise the parameters and optimizer state of DL4J's update of the
 * whole network — for every optimizer, with l2 and weight decay, over several steps (the state carries over).
 */
class SliceUpdateTest {
    static final int IN = 7;
    static final int OUT = 3;

    private static ComputationGraph network(String optimizer, String extra) {
        String lr = optimizer.startsWith("ada") || optimizer.equals("rmsprop") ? "0.01" : "0.1";
        RunConfig config = new ConfigLoader().parse("t", String.join("\n",
                "model: {dataType: double, layers: [{units: 5}, {units: 4}], activation: tanh, weightInit: xavier}",
                "data: {train: x}",
                "training: {seed: 5}",
                "optimizer: {type: " + optimizer + ", learningRate: " + lr + ", l2: 0.001, weightDecay: 0.002"
                        + extra + "}"), List.of());
        return new ModelFactory(config.model(), config.optimizer(), 5, 100).build(new IoShape(IN, OUT), null);
    }

    private static DataSet batch(int step) {
        org.nd4j.linalg.api.rng.Random random = Nd4j.getRandomFactory().getNewRandomInstance(100 + step);
        INDArray x = Nd4j.rand(random, 9, IN).castTo(DataType.DOUBLE);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 9, OUT);
        for (int i = 0; i < 9; i++) {
            y.putScalar(i, (i + step) % OUT, 1.0);
        }
        return new DataSet(x, y);
    }

    /** The summed gradient of a batch in the network's flat gradient view (the same values for both networks). */
    private static void gradient(ComputationGraph net, DataSet batch) {
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
    }

    private static long from(long n, int k, int w) {
        return w * (n / k) + Math.min(w, n % k);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"sgd", "momentum", "nesterov", "adam", "rmsprop", "adagrad"})
    void slicesUpdateBitwiseAsDl4jsWholeUpdate(String optimizer) {
        for (int k : new int[] {1, 2, 3, 5}) {
            ComputationGraph a = network(optimizer, "");
            ComputationGraph b = network(optimizer, "");
            assertNull(SliceUpdate.unsupported(b));
            GlobalUpdate wholeUpdate = new GlobalUpdate(a, batch(0));
            new GlobalUpdate(b, batch(0)); // the gradient views and the updater, as a worker's replica has them
            long n = a.numParams();
            SliceUpdate[] slices = new SliceUpdate[k];
            for (int w = 0; w < k; w++) {
                slices[w] = new SliceUpdate(b, from(n, k, w), from(n, k, w + 1));
                assertNull(b.getUpdater(false), "a slice creates no updater of the network (no whole state)");
            }
            INDArray initial = TrainingState.updaterState(a); // DL4J's initial state (AdaGrad's is not zero); SGD: none
            initial = initial == null ? null : initial.dup();
            for (SliceUpdate s : slices) {
                s.loadState(initial);
            }
            for (int step = 0; step < 4; step++) {
                DataSet data = batch(step);
                gradient(a, data);
                gradient(b, data);
                assertArrayEquals(a.getFlattenedGradients().data().asDouble(),
                        b.getFlattenedGradients().data().asDouble());
                wholeUpdate.update(9, 0);
                int iteration = b.getIterationCount();
                for (SliceUpdate s : slices) {
                    s.apply(9, iteration, 0);
                }
                b.getConfiguration().setIterationCount(iteration + 1);
                assertArrayEquals(a.params().data().asDouble(), b.params().data().asDouble(),
                        optimizer + ", k=" + k + ", step " + step + ": the slices' parameters differ from DL4J's");
            }
            INDArray state = TrainingState.updaterState(a);
            for (int w = 0; w < k; w++) {
                List<long[]> pieces = SliceUpdate.statePieces(b, from(n, k, w), from(n, k, w + 1));
                INDArray mine = slices[w].state();
                if (state == null) {
                    assertNull(mine, optimizer + " keeps no state");
                    continue;
                }
                assertEquals(SliceUpdate.stateLength(pieces), mine.length());
                INDArray flat = state.reshape(state.length());
                long at = 0;
                for (long[] p : pieces) {
                    for (long i = p[0]; i < p[1]; i++, at++) {
                        assertEquals(flat.getDouble(i), mine.getDouble(at), optimizer + ", k=" + k + ": state " + i);
                    }
                }
            }
        }
    }

    @Test
    void perLayerClippingIsNamedAsUnsupported() {
        ComputationGraph net = network("adam", ", clipNorm: 1.0");
        new GlobalUpdate(net, batch(0));
        String why = SliceUpdate.unsupported(net);
        assertNotNull(why);
        assertTrue(why.contains("ClipL2PerLayer"), why);
    }
}

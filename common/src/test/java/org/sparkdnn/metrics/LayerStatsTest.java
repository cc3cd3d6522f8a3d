package org.sparkdnn.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.model.IoShape;
import org.sparkdnn.model.TestModels;

/** Per-layer gradient norms and activation statistics: exact where float would underflow, the statistics they say. */
class LayerStatsTest {
    @Test
    void aFloatGradientOfTinyEntriesHasItsTrueNormNotZero() {
        DefaultGradient g = new DefaultGradient();
        g.setGradientFor("layer0_W", Nd4j.create(new float[] {3e-30f, 4e-30f}, new long[] {1, 2}));
        g.setGradientFor("layer1_W", Nd4j.create(new float[] {3e10f, 4e10f}, new long[] {1, 2}));
        g.setGradientFor("layer2_W", Nd4j.create(new float[] {0f, 0f}, new long[] {1, 2}));
        Map<String, Double> norms = GradientNorms.perLayer(g, 1);
        // squared in float, 3e-30 would be 0 and 3e10 would be inf
        assertEquals(5e-30, norms.get("layer0"), 1e-36);
        assertEquals(5e10, norms.get("layer1"), 1e4);
        assertEquals(0.0, norms.get("layer2"));
    }

    @Test
    void activationStatisticsSayWhatEachLayerOutputs() {
        INDArray out = Nd4j.create(new double[][] {{1, 5}, {3, 5}}); // unit 0 varies over the inputs, unit 1 does not
        Map<String, Double> s = ActivationStats.of(out);
        assertEquals(3.5, s.get("mean"), 1e-12);
        assertEquals(Math.sqrt(11.0 / 3), s.get("std"), 1e-12, "sample sd of {1, 5, 3, 5}");
        assertEquals((Math.sqrt(2) + 0) / 2, s.get("inputStd"), 1e-12, "unit 0: sample sd of {1, 3}; unit 1: 0");
        assertEquals(0.0, s.get("zeroUnits"));
        assertEquals(0.5, ActivationStats.of(Nd4j.create(new double[][] {{0, -1, 0, 2}, {0, 0, 0, 0}}))
                .get("zeroUnits"), 1e-12, "units 0 and 2 are 0 for every example; 1 and 3 are not");

        ComputationGraph net = TestModels.build(TestModels.model(Loss.L2, Activation.SIGMOID,
                List.of(TestModels.layer(LayerType.DENSE, 4), TestModels.layer(LayerType.DENSE, 3))),
                TestModels.sgd(0.1), TestModels.SEED, new IoShape(2, 1));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 16, 2);
        Map<String, Map<String, Double>> layers = ActivationStats.perLayer(net, x);
        assertEquals(List.of("layer0", "layer1", "output"), List.copyOf(layers.keySet()));
        double mean0 = net.feedForward(x, false).get("layer0").meanNumber().doubleValue();
        assertEquals(mean0, layers.get("layer0").get("mean"), 1e-12);
        assertTrue(layers.get("layer1").get("mean") > 0 && layers.get("layer1").get("mean") < 1, "sigmoid outputs");
    }
}

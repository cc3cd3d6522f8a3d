package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;

/** GELU (x·σ(1.702x)) and its derivative are finite and right over the whole range, where DL4J's is NaN. */
class StableGeluTest {
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void activationAndDerivativeMatchTheClosedFormAndDl4jsValuesWhereTheyAreFinite(DataType type) {
        int n = 8001;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -1000 + 0.25 * i;
        }
        INDArray x = Nd4j.createFromArray(xs).castTo(type);
        INDArray f = new StableGelu().getActivation(x.dup(), true);
        INDArray d = new StableGelu().backprop(x.dup(), Nd4j.ones(type, n)).getFirst();
        INDArray dl4jF = new ActivationGELU().getActivation(x.dup(), true);
        double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-12;
        for (int i = 0; i < n; i++) {
            double s = sigmoid(StableGelu.BETA * xs[i]);
            assertEquals(xs[i] * s, f.getDouble(i), tolerance * Math.max(1, Math.abs(xs[i])), "gelu(" + xs[i] + ")");
            assertEquals(s * (1 + StableGelu.BETA * xs[i] * (1 - s)), d.getDouble(i), tolerance, "gelu'(" + xs[i] + ")");
            assertEquals(dl4jF.getDouble(i), f.getDouble(i), 1e-5 * Math.max(1, Math.abs(xs[i])), "DL4J's own form");
        }
    }

    /** The reason for {@link StableGelu}; when this fails, DL4J has fixed its GELUDerivative. */
    @Test
    void dl4jGeluDerivativeIsNaNForLargeFloatInputs() {
        INDArray in = Nd4j.createFromArray(30.0).castTo(DataType.FLOAT);
        assertTrue(Double.isNaN(new ActivationGELU().backprop(in, Nd4j.ones(DataType.FLOAT, 1)).getFirst().getDouble(0)));
    }

    @Test
    void theModelsGeluIsTheStableOneAndSurvivesTheNetworkJson() {
        ComputationGraph net = TestModels.build(TestModels.model(Loss.L2, Activation.GELU,
                List.of(TestModels.layer(LayerType.DENSE, 3))), TestModels.sgd(0.1), TestModels.SEED, new IoShape(3, 2));
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        BaseLayer layer = (BaseLayer) ((LayerVertex) restored.getVertices().get("layer0")).getLayerConf().getLayer();
        assertInstanceOf(StableGelu.class, layer.getActivationFn());
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}

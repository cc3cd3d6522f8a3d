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
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;

/** Swish and its derivative are finite and right over the whole range, where DL4J's ActivationSwish gives NaN. */
class StableSwishTest {
    private static final double[] X = grid(-1000, 1000, 0.25);

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void activationAndDerivativeMatchTheClosedFormEverywhere(DataType type) {
        INDArray x = Nd4j.createFromArray(X).castTo(type);
        INDArray f = new StableSwish().getActivation(x.dup(), true);
        INDArray d = new StableSwish().backprop(x.dup(), Nd4j.ones(type, X.length)).getFirst();
        double tolerance = type == DataType.FLOAT ? 1e-6 : 1e-12;
        for (int i = 0; i < X.length; i++) {
            double s = sigmoid(X[i]);
            assertEquals(X[i] * s, f.getDouble(i), tolerance * Math.max(1, Math.abs(X[i])), "swish(" + X[i] + ")");
            assertEquals(s * (1 + X[i] * (1 - s)), d.getDouble(i), tolerance, "swish'(" + X[i] + ")");
        }
    }

    /** The reason for {@link StableSwish}; when this fails, DL4J has fixed its SwishDerivative. */
    @Test
    void dl4jSwishDerivativeIsNaNForLargeInputs() {
        assertTrue(Double.isNaN(dl4jDerivative(DataType.FLOAT, 50)), "float, x = 50");
        assertTrue(Double.isNaN(dl4jDerivative(DataType.DOUBLE, 400)), "double, x = 400");
    }

    @Test
    void swiGluIntoASwishResidualBlockHasFiniteGradientsForLargeInputs() {
        ModelConfig model = TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.SWISH,
                List.of(TestModels.layer(LayerType.SWIGLU, 8), TestModels.layer(LayerType.RESIDUAL, 8)));
        IoShape shape = new IoShape(3, 2);
        ComputationGraph net = TestModels.build(model, TestModels.sgd(0.1), TestModels.SEED, shape);
        DataSet batch = TestModels.classification(4, shape, 3);
        batch.getFeatures().muli(1000); // SwiGLU is quadratic in its input: pre-activations far beyond 355
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        double norm = net.getFlattenedGradients().norm2Number().doubleValue();
        assertTrue(Double.isFinite(norm), "gradient norm " + norm);
    }

    @Test
    void survivesTheNetworkJson() {
        ComputationGraph net = TestModels.build(TestModels.model(Loss.L2, Activation.SWISH,
                List.of(TestModels.layer(LayerType.SWIGLU, 3))), TestModels.sgd(0.1), TestModels.SEED, new IoShape(3, 2));
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson());
        BaseLayer gate = (BaseLayer) ((LayerVertex) restored.getVertices().get("layer0_W")).getLayerConf().getLayer();
        assertInstanceOf(StableSwish.class, gate.getActivationFn());
    }

    private static double dl4jDerivative(DataType type, double x) {
        INDArray in = Nd4j.createFromArray(x).castTo(type);
        return new ActivationSwish().backprop(in, Nd4j.ones(type, 1)).getFirst().getDouble(0);
    }

    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    private static double[] grid(double from, double to, double step) {
        int n = (int) Math.round((to - from) / step) + 1;
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = from + i * step;
        }
        return x;
    }
}

package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.NumericType;

/**
 * DL4J's finite-difference gradient check (central differences in double precision) on small networks built by
 * {@link ModelFactory}: every activation, every loss (our logit losses included), the SwiGLU layer and the residual
 * block. Backprop is right where these pass; a deliberately wrong loss gradient shows the check can fail.
 */
class GradientCheckTest {
    private static final double EPSILON = 1e-6;
    private static final double MAX_REL_ERROR = 1e-3;
    private static final double MIN_ABS_ERROR = 1e-8;
    private static final int EXAMPLES = 5;
    private static final IoShape SHAPE = new IoShape(3, 3);

    private static DataType savedDefault;
    private static DataType savedFloatingPoint;

    /** One network to check. */
    record Case(String name, ModelConfig model) {
        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeAll
    static void useDoublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloatingPoint = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterAll
    static void restorePrecision() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloatingPoint);
    }

    static Stream<Case> networks() {
        List<Case> cases = new ArrayList<>();
        for (Activation a : Activation.values()) {
            cases.add(new Case("dense " + a.key() + " + l2",
                    TestModels.model(Loss.L2, a, List.of(LayerConfig.dense(4, a)))));
        }
        for (Loss loss : Loss.values()) {
            cases.add(new Case("dense tanh + " + loss.key(),
                    TestModels.model(loss, Activation.TANH, List.of(LayerConfig.dense(4, Activation.TANH)))));
        }
        cases.add(new Case("swiglu + softmaxCrossEntropy", TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY,
                Activation.RELU, List.of(TestModels.layer(LayerType.SWIGLU, 4)))));
        cases.add(new Case("swiglu without biases + l2", new ModelConfig(NumericType.DOUBLE,
                List.of(TestModels.layer(LayerType.SWIGLU, 4)), null, null, null, null, null, false, Loss.L2, null, null, null, null, null)));
        cases.add(new Case("residual relu + bceWithLogits", TestModels.model(Loss.BCE_WITH_LOGITS, Activation.RELU,
                List.of(TestModels.layer(LayerType.RESIDUAL, 5)))));
        cases.add(new Case("dense, residual tanh, swiglu + softmaxCrossEntropy",
                TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.TANH, List.of(LayerConfig.dense(4, null),
                        TestModels.layer(LayerType.RESIDUAL, null), TestModels.layer(LayerType.SWIGLU, 3)))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void backpropGradientsMatchCentralFiniteDifferences(Case c) {
        ComputationGraph net = checkable(c.model());
        assertTrue(check(net, c.model().loss()), () -> c.name() + ": " + worstParameter(net, c.model().loss()));
    }

    @Test
    void checkFailsForALossWhoseGradientIsTwiceTooLarge() {
        ModelConfig model = TestModels.model(Loss.L2, Activation.TANH, List.of(LayerConfig.dense(4, Activation.TANH)));
        ComputationGraphConfiguration conf = noOpUpdaters(factory(model).mlp(SHAPE));
        ((OutputLayer) layerOf(conf.getVertices().get(ModelFactory.OUTPUT))).setLossFn(new DoubledGradientLoss());
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        assertFalse(check(net, Loss.L2), "a wrong gradient must fail the check");
        String worst = worstParameter(net, Loss.L2);
        assertTrue(worst.contains("relative error 0.333"), "|2g − g| / (|2g| + |g|) = 1/3, was " + worst);
    }

    /** The factory's configuration with every layer on the NoOp updater (GradientCheckUtil requires it). */
    private static ComputationGraph checkable(ModelConfig model) {
        ComputationGraph net = new ComputationGraph(noOpUpdaters(factory(model).mlp(SHAPE)));
        net.init();
        return net;
    }

    private static ModelFactory factory(ModelConfig model) {
        return new ModelFactory(model, TestModels.sgd(1.0), TestModels.SEED, 100);
    }

    private static ComputationGraphConfiguration noOpUpdaters(ComputationGraphConfiguration conf) {
        for (GraphVertex v : conf.getVertices().values()) {
            Object layer = layerOf(v);
            if (layer instanceof BaseLayer) {
                ((BaseLayer) layer).setIUpdater(new NoOp());
                ((BaseLayer) layer).setBiasUpdater(new NoOp());
            } else if (layer instanceof AbstractSameDiffLayer) {
                ((AbstractSameDiffLayer) layer).setUpdater(new NoOp());
                ((AbstractSameDiffLayer) layer).setBiasUpdater(new NoOp());
            }
        }
        return conf;
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layerOf(GraphVertex v) {
        return v instanceof LayerVertex ? ((LayerVertex) v).getLayerConf().getLayer() : null;
    }

    private static boolean check(ComputationGraph net, Loss loss) {
        DataSet data = data(loss);
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                .net(net)
                .inputs(new INDArray[] {data.getFeatures()})
                .labels(new INDArray[] {data.getLabels()})
                .epsilon(EPSILON)
                .maxRelError(MAX_REL_ERROR)
                .minAbsoluteError(MIN_ABS_ERROR)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY)
                .exitOnFirstError(false));
    }

    private static DataSet data(Loss loss) {
        Random rng = new Random(7);
        INDArray features = Nd4j.create(gaussian(rng, EXAMPLES, SHAPE.inputs()));
        return new DataSet(features, Nd4j.create(labels(rng, loss)));
    }

    /** The parameter whose backprop gradient is furthest from the central difference (GradientCheckUtil logs only). */
    private static String worstParameter(ComputationGraph net, Loss loss) {
        DataSet data = data(loss);
        net.setInputs(data.getFeatures());
        net.setLabels(data.getLabels());
        net.computeGradientAndScore();
        INDArray mean = net.getFlattenedGradients().div(EXAMPLES);
        INDArray params = net.params();
        String worst = "no parameter differs";
        double worstError = 0;
        for (int i = 0; i < params.length(); i++) {
            double w = params.getDouble(i);
            params.putScalar(i, w + EPSILON);
            double plus = net.score(data, true);
            params.putScalar(i, w - EPSILON);
            double minus = net.score(data, true);
            params.putScalar(i, w);
            double numeric = (plus - minus) / (2 * EPSILON);
            double backprop = mean.getDouble(i);
            double error = Math.abs(backprop - numeric) / (Math.abs(backprop) + Math.abs(numeric) + 1e-300);
            if (error > worstError) {
                worstError = error;
                worst = "parameter " + i + " of " + params.length() + ": backprop " + backprop + ", numeric " + numeric
                        + ", relative error " + error;
            }
        }
        return worst;
    }

    /** Labels in each loss's domain: one-hot rows, 0/1 entries, or real targets. */
    private static double[][] labels(Random rng, Loss loss) {
        double[][] y = new double[EXAMPLES][SHAPE.outputs()];
        for (int i = 0; i < EXAMPLES; i++) {
            for (int j = 0; j < SHAPE.outputs(); j++) {
                switch (loss) {
                    case SOFTMAX_CROSS_ENTROPY:
                        y[i][j] = j == i % SHAPE.outputs() ? 1 : 0;
                        break;
                    case BCE_WITH_LOGITS:
                        y[i][j] = rng.nextBoolean() ? 1 : 0;
                        break;
                    default:
                        y[i][j] = rng.nextGaussian();
                }
            }
        }
        return y;
    }

    private static double[][] gaussian(Random rng, int rows, int cols) {
        double[][] x = new double[rows][cols];
        for (double[] row : x) {
            for (int j = 0; j < cols; j++) {
                row[j] = rng.nextGaussian();
            }
        }
        return x;
    }

    /** (z − y)² per output with the gradient doubled: a deliberately wrong backprop. */
    static final class DoubledGradientLoss extends LogitLoss {
        @Override
        protected INDArray scorePerExample(INDArray logits, INDArray labels) {
            INDArray d = logits.sub(labels);
            return d.muli(d).sum(true, 1);
        }

        @Override
        protected INDArray gradientWrtLogits(INDArray logits, INDArray labels) {
            return logits.sub(labels).muli(4);
        }

        @Override
        public String name() {
            return "doubledGradient";
        }
    }
}

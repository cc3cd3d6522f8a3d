package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdnn.model.TestModels.values;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.BiasInit;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.config.WeightInit;

/** What {@link ModelFactory} builds: the output layer, the SwiGLU and residual blocks, seeding, dropout placement. */
class ModelFactoryTest {
    private static final IoShape SHAPE = new IoShape(3, 2);
    private static final List<LayerConfig> ZOO = List.of(LayerConfig.dense(4, Activation.TANH),
            TestModels.layer(LayerType.RESIDUAL, 5), TestModels.layer(LayerType.SWIGLU, 3));
    private static final INDArray X = TestModels.classification(5, SHAPE, 1).getFeatures();

    @ParameterizedTest
    @EnumSource(Loss.class)
    void outputLayerIsLinearWithTheConfiguredLossSoItEmitsLogits(Loss loss) {
        ComputationGraph net = build(TestModels.model(loss, Activation.RELU, ZOO), TestModels.SEED);
        OutputLayer out = (OutputLayer) layer(net.getConfiguration(), ModelFactory.OUTPUT);
        assertInstanceOf(ActivationIdentity.class, out.getActivationFn());
        assertEquals(Dl4jMapping.loss(loss), out.getLossFn());

        Map<String, INDArray> acts = net.feedForward(X, false);
        INDArray logits = acts.get("layer2").mmul(net.getParam("output_W")).addRowVector(net.getParam("output_b"));
        assertArrayEquals(values(logits), values(acts.get(ModelFactory.OUTPUT)), 1e-12);
    }

    @Test
    void swiGluBlockIsSwishOfTheGateTimesTheLinearValue() {
        ComputationGraph net = build(TestModels.model(Loss.L2, Activation.RELU,
                List.of(TestModels.layer(LayerType.SWIGLU, 4))), TestModels.SEED);
        BaseLayer gateLayer = (BaseLayer) layer(net.getConfiguration(), "layer0_W");
        assertInstanceOf(StableSwish.class, gateLayer.getActivationFn());
        INDArray gate = X.mmul(net.getParam("layer0_W_W")).addRowVector(net.getParam("layer0_W_b"));
        INDArray value = X.mmul(net.getParam("layer0_V_W")).addRowVector(net.getParam("layer0_V_b"));
        INDArray expected = gate.mul(Transforms.sigmoid(gate, true)).muli(value);
        assertArrayEquals(values(expected), values(net.feedForward(X, false).get("layer0")), 1e-12);
        assertEquals(4, net.getParam("layer0_W_b").length());
        assertEquals(4, net.getParam("layer0_V_b").length());
    }

    @Test
    void residualBlockAddsItsInputToTheLinearMapOfTheActivatedInnerLayer() {
        ComputationGraph net = build(TestModels.model(Loss.L2, Activation.TANH,
                List.of(TestModels.layer(LayerType.RESIDUAL, 5))), TestModels.SEED);
        INDArray inner = Transforms.tanh(X.mmul(net.getParam("layer0_W_W")).addRowVector(net.getParam("layer0_W_b")));
        INDArray expected = inner.mmul(net.getParam("layer0_V_W")).addRowVector(net.getParam("layer0_V_b")).addi(X);
        assertArrayEquals(values(expected), values(net.feedForward(X, false).get("layer0")), 1e-12);
        assertArrayEquals(new long[] {3, 5}, net.getParam("layer0_W_W").shape(), "inner width is the block's units");
    }

    @ParameterizedTest
    @EnumSource(WeightInit.class)
    void theSameSeedGivesIdenticalInitialParametersAndAnotherSeedDifferent(WeightInit init) {
        ModelConfig model = new ModelConfig(NumericType.DOUBLE, ZOO, null, null, init, 0.5, null, null, null, null, null, null, null, null);
        INDArray first = build(model, 42).params();
        INDArray again = build(model, 42).params();
        INDArray other = build(model, 43).params();
        assertArrayEquals(values(first), values(again), 0.0);
        assertFalse(first.equalsWithEps(other, 1e-6), init + ": seed 43 must differ from seed 42");
        for (Map.Entry<String, INDArray> e : build(model, 42).paramTable().entrySet()) {
            if (e.getKey().endsWith("_W")) {
                assertNotEquals(0.0, e.getValue().norm2Number().doubleValue(), e.getKey() + " is initialised");
            }
        }
    }

    @Test
    void normalBiasesAreDrawnFromTheSeedWithTheInitScale() {
        List<LayerConfig> wide = List.of(TestModels.layer(LayerType.DENSE, 400), TestModels.layer(LayerType.DENSE, 400));
        ModelConfig zero = new ModelConfig(NumericType.DOUBLE, wide, null, null, WeightInit.NORMAL, 0.1, null, null,
                Loss.L2, null, null, null, null, null);
        ModelConfig normal = new ModelConfig(NumericType.DOUBLE, wide, null, null, WeightInit.NORMAL, 0.1, null, null,
                Loss.L2, null, null, null, null, BiasInit.NORMAL);
        assertEquals(0.0, build(zero, 42).getParam("layer0_b").norm2Number().doubleValue(), "DL4J's default: 0");
        INDArray b = build(normal, 42).getParam("layer0_b");
        assertEquals(0.1, b.stdNumber().doubleValue(), 0.01, "400 draws of N(0, 0.1^2)");
        assertEquals(0.0, b.meanNumber().doubleValue(), 0.02);
        assertArrayEquals(values(b), values(build(normal, 42).getParam("layer0_b")), 0.0, "the same seed, the same biases");
        assertFalse(b.equalsWithEps(build(normal, 43).getParam("layer0_b"), 1e-6));
        assertFalse(b.equalsWithEps(build(normal, 42).getParam("layer1_b"), 1e-6), "each layer its own draws");
        assertNotEquals(0.0, build(normal, 42).getParam("output_b").norm2Number().doubleValue(), "the output's too");
        // PyTorch's defaults: weights and biases U(±1/√fanIn); layer1's fanIn is 400
        ModelConfig torch = new ModelConfig(NumericType.DOUBLE, wide, null, null, WeightInit.TORCH, null, null, null,
                Loss.L2, null, null, null, null, BiasInit.TORCH);
        ComputationGraph net = build(torch, 42);
        double bound = 1 / Math.sqrt(400);
        for (String p : List.of("layer1_W", "layer1_b")) {
            INDArray v = net.getParam(p);
            assertTrue(v.amaxNumber().doubleValue() <= bound, p + " within ±1/√400");
            assertTrue(v.amaxNumber().doubleValue() > 0.9 * bound, p + " fills its range");
        }
        assertEquals(bound / Math.sqrt(3), net.getParam("layer1_W").stdNumber().doubleValue(), 0.002,
                "uniform: sd = bound/√3");
    }

    @Test
    void parametersHaveTheConfiguredDataType() {
        ModelConfig single = new ModelConfig(NumericType.FLOAT, ZOO, null, null, null, null, null, null, null, null, null, null, null, null);
        assertEquals(DataType.FLOAT, build(single, 42).params().dataType());
        assertEquals(DataType.DOUBLE, build(TestModels.model(Loss.L2, null, ZOO), 42).params().dataType());
    }

    /** A layer's dropout is dropped on its output (the next layer's input), the output layer's input included. */
    @Test
    void dropoutIsAppliedToTheInputOfTheLayerAfterTheOneThatConfiguresIt() {
        List<LayerConfig> layers = List.of(
                LayerConfig.of(LayerType.DENSE, 4, null, 0.3, null),
                LayerConfig.of(LayerType.SWIGLU, 4, null, null, null),
                LayerConfig.of(LayerType.RESIDUAL, null, null, 0.0, null));
        ModelConfig model = TestModels.withDropout(TestModels.model(Loss.L2, Activation.RELU, layers), 0.2);
        ComputationGraphConfiguration conf = build(model, 42).getConfiguration();

        assertNull(layer(conf, "layer0").getIDropout(), "the network's input is not dropped");
        assertEquals(new CounterDropout(0.3, 42, 1), layer(conf, "layer1_dropout").getIDropout(),
                "layer0's 0.3 on SwiGLU's input");
        assertInstanceOf(DropoutLayer.class, layer(conf, "layer1_dropout"));
        assertNull(layer(conf, "layer1_W").getIDropout(), "one mask for both SwiGLU branches");
        assertNull(layer(conf, "layer1_V").getIDropout());
        assertEquals(new CounterDropout(0.2, 42, 2), layer(conf, "layer2_W").getIDropout(), "model default 0.2 after layer1");
        assertNull(layer(conf, "layer2_V").getIDropout(), "inside the residual block nothing is dropped");
        assertNull(layer(conf, ModelFactory.OUTPUT).getIDropout(), "layer2 overrides the default with 0");
    }

    private static ComputationGraph build(ModelConfig model, long seed) {
        return TestModels.build(model, TestModels.sgd(0.1), seed, SHAPE);
    }

    private static Layer layer(ComputationGraphConfiguration conf, String vertex) {
        return ((LayerVertex) conf.getVertices().get(vertex)).getLayerConf().getLayer();
    }
}

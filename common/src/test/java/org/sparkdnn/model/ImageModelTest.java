package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdnn.model.TestModels.values;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;

/**
 * The image layers of the YAML zoo, built with DL4J's own layers: shapes through conv/pool/residual blocks, the
 * flattening into dense layers, a conv layer's forward pass against a direct sum, and errors that name the YAML path.
 */
class ImageModelTest {
    private static final IoShape DIGITS = new IoShape(64, 10, List.of(1, 8, 8));

    private static RunConfig config(String model, String... sets) {
        return new ConfigLoader().parse("test.yaml", "model: " + model + "\ndata: {train: 'embedded:digits'}\n",
                List.of(sets));
    }

    private static ComputationGraph build(RunConfig config, IoShape shape) {
        return new ModelFactory(config.model(), config.optimizer(), 7, 100).augmenting(config.data().augment())
                .build(shape, Storage.withDefaults());
    }

    private static INDArray images(int rows, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.DOUBLE, rows, 64);
    }

    @Test
    void aSmallResNetBuildsWithTheShapesTheConfigSays() {
        RunConfig config = config("{dataType: double, layers: ["
                + "{type: conv2d, filters: 4, kernel: 3, padding: same},"
                + "{type: maxPool},"
                + "{type: residualConv, filters: 6, stride: 2},"
                + "{type: residualConv},"
                + "{type: globalAvgPool},"
                + "{type: dense, units: 5}]}");
        ComputationGraph net = build(config, DIGITS);
        Map<String, INDArray> acts = net.feedForward(images(3, 1), false);
        assertArrayEquals(new long[] {3, 4, 8, 8}, acts.get("layer0").shape(), "same padding keeps 8x8");
        assertArrayEquals(new long[] {3, 4, 4, 4}, acts.get("layer1").shape(), "2x2 max pool, stride 2");
        assertArrayEquals(new long[] {3, 6, 2, 2}, acts.get("layer2").shape(), "stride 2 halves, 6 filters");
        assertArrayEquals(new long[] {3, 6, 2, 2}, acts.get("layer3").shape());
        assertArrayEquals(new long[] {3, 6}, acts.get("layer4").shape(), "global average pool is flat");
        assertArrayEquals(new long[] {3, 10}, acts.get(ModelFactory.OUTPUT).shape());
        assertArrayEquals(new long[] {6, 4, 1, 1}, net.getParam("layer2_proj_W").shape(),
                "a 1x1 projection where channels and stride change");
        assertThrows(IllegalStateException.class, () -> net.getParam("layer3_proj_W").length(),
                "no projection where nothing changes");
        // the identity block adds its input: with the two convolutions zeroed, it is relu(input)
        net.getParam("layer3_a_W").assign(0);
        net.getParam("layer3_a_b").assign(0);
        net.getParam("layer3_b_W").assign(0);
        net.getParam("layer3_b_b").assign(0);
        Map<String, INDArray> zeroed = net.feedForward(images(3, 1), false);
        assertArrayEquals(values(zeroed.get("layer2")), values(zeroed.get("layer3")), 0);
    }

    @Test
    void aConvolutionIsTheDirectSumOverItsWindow() {
        RunConfig config = config("{dataType: double, activation: identity, layers: ["
                + "{type: conv2d, filters: 2, kernel: [3, 2], stride: [1, 2]}, {type: dense, units: 3}]}");
        ComputationGraph net = build(config, DIGITS);
        INDArray x = images(2, 3);
        INDArray out = net.feedForward(x, false).get("layer0");
        assertArrayEquals(new long[] {2, 2, 6, 4}, out.shape(), "valid padding: 8-3+1 rows, (8-2)/2+1 columns");
        INDArray w = net.getParam("layer0_W"); // [out, in, kh, kw]
        INDArray b = net.getParam("layer0_b");
        for (int n = 0; n < 2; n++) {
            for (int f = 0; f < 2; f++) {
                for (int y = 0; y < 6; y++) {
                    for (int col = 0; col < 4; col++) {
                        double sum = b.getDouble(f);
                        for (int i = 0; i < 3; i++) {
                            for (int j = 0; j < 2; j++) {
                                sum += w.getDouble(f, 0, i, j) * x.getDouble(n, (y + i) * 8 + col * 2 + j);
                            }
                        }
                        assertEquals(sum, out.getDouble(n, f, y, col), 1e-12);
                    }
                }
            }
        }
        assertEquals(2 * 6 * 4 * 3 + 3, net.getParam("layer1_W").length() + net.getParam("layer1_b").length(),
                "the dense layer sees the 2x6x4 activations flattened");
    }

    @Test
    void dropoutOnImageActivationsIsACounterKeyedDropoutLayerAndBatchNormIsDl4js() {
        RunConfig config = config("{layers: [{type: conv2d, filters: 3, kernel: 3, dropout: 0.25},"
                + "{type: batchNorm, activation: relu}, {type: avgPool}, {type: dense, units: 4}]}");
        ComputationGraph net = build(config, DIGITS);
        LayerVertex drop = (LayerVertex) net.getConfiguration().getVertices().get("layer1_dropout");
        assertInstanceOf(DropoutLayer.class, drop.getLayerConf().getLayer());
        assertEquals(new CounterDropout(0.25, 7, 1), drop.getLayerConf().getLayer().getIDropout());
        LayerVertex norm = (LayerVertex) net.getConfiguration().getVertices().get("layer1_bn");
        assertInstanceOf(BatchNormalization.class, norm.getLayerConf().getLayer());
        // DL4J's BatchNormalization applies no activation: the batchNorm's relu is a layer of its own
        LayerVertex relu = (LayerVertex) net.getConfiguration().getVertices().get("layer1");
        assertInstanceOf(org.deeplearning4j.nn.conf.layers.ActivationLayer.class, relu.getLayerConf().getLayer());
        assertInstanceOf(ConvolutionLayer.class,
                ((LayerVertex) net.getConfiguration().getVertices().get("layer0")).getLayerConf().getLayer());
        // the network trains: a step moves the parameters and keeps them finite
        INDArray before = net.params().dup();
        net.fit(new DataSet(images(6, 2).castTo(net.params().dataType()),
                Nd4j.eye(10).getRows(0, 1, 2, 3, 4, 5).castTo(net.params().dataType())));
        assertNotEquals(before, net.params());
        assertTrue(!net.params().isInfinite().any() && !net.params().isNaN().any());
    }

    @Test
    void theDigitsAsFlatRowsAndAJsonRoundTripKeepTheNetwork() {
        RunConfig config = config("{dataType: double, inputShape: [1, 8, 8], layers: [{type: conv2d, filters: 2, "
                + "kernel: 3}, {type: maxPool}]}", "data.augment.shift.pixels=1");
        ComputationGraph net = build(config, new IoShape(64, 10));
        ComputationGraph copy = new ComputationGraph(
                org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(net.getConfiguration().toJson()));
        copy.init(net.params().dup(), false);
        INDArray x = images(4, 5);
        assertArrayEquals(values(net.outputSingle(x)), values(copy.outputSingle(x)), 0);
        assertInstanceOf(Augmentation.class, ((LayerVertex) copy.getConfiguration().getVertices()
                .get(ModelFactory.AUGMENT)).getLayerConf().getLayer().getIDropout());
    }

    @Test
    void imageLayerErrorsNameTheYamlPath() {
        ConfigException noShape = assertThrows(ConfigException.class,
                () -> build(config("{layers: [{type: conv2d, filters: 2, kernel: 3}]}"), new IoShape(64, 10)));
        assertTrue(noShape.getMessage().startsWith("model.inputShape: must be set"), noShape.getMessage());
        ConfigException wrongSize = assertThrows(ConfigException.class, () -> build(config(
                "{inputShape: [3, 8, 8], layers: [{type: conv2d, filters: 2, kernel: 3}]}"), DIGITS));
        assertTrue(wrongSize.getMessage().contains("holds 192 values but the data's rows have 64 features"),
                wrongSize.getMessage());
        ConfigException big = assertThrows(ConfigException.class, () -> build(config(
                "{layers: [{type: conv2d, filters: 2, kernel: 5}, {type: conv2d, filters: 2, kernel: 5}]}"), DIGITS));
        assertEquals("model.layers[1].kernel: is larger than the layer's input 2x4x4 (padding valid; use padding: "
                + "same or a smaller kernel), was 5", big.getMessage());
        ConfigException afterDense = assertThrows(ConfigException.class, () -> build(config(
                "{layers: [{units: 4}, {type: maxPool}]}"), DIGITS));
        assertTrue(afterDense.getMessage().startsWith("model.layers[1].type: an image layer needs image activations"),
                afterDense.getMessage());
        ConfigException filters = assertThrows(ConfigException.class, () -> config(
                "{layers: [{type: conv2d, kernel: 3}]}"));
        assertTrue(filters.getMessage().contains("model.layers[0].filters: must be set for a conv2d layer"),
                filters.getMessage());
        ConfigException units = assertThrows(ConfigException.class, () -> config(
                "{layers: [{type: maxPool, units: 3}]}"));
        assertTrue(units.getMessage().contains("model.layers[0].units: applies to dense layers"), units.getMessage());
        ConfigException kernel = assertThrows(ConfigException.class, () -> config(
                "{layers: [{type: conv2d, filters: 2, kernel: [3, 0]}]}"));
        assertTrue(kernel.getMessage().contains("model.layers[0].kernel: must be > 0, was [3, 0]"), kernel.getMessage());
        ConfigException stride = assertThrows(ConfigException.class, () -> config(
                "{layers: [{type: batchNorm, stride: 2}]}"));
        assertTrue(stride.getMessage().contains("model.layers[0].stride: applies to conv2d, maxPool, avgPool, "
                + "residualConv layers, not batchNorm"), stride.getMessage());
    }
}

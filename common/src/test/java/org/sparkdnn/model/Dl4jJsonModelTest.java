package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdnn.model.TestModels.values;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.OptimizerType;
import org.sparkdnn.io.Storage;
import org.sparkdnn.optimizer.Momentum;

/**
 * {@code model.dl4j}: a user's DL4J MultiLayerConfiguration JSON, built with the run's seed, data type, optimizer and
 * regularization.
 */
class Dl4jJsonModelTest {
    private static final IoShape SHAPE = new IoShape(3, 2);
    private static final OptimizerConfig MOMENTUM_WITH_DECAY = new OptimizerConfig(OptimizerType.MOMENTUM, 0.05, 0.9,
            null, null, null, null, null, 0.01, null, null);

    @TempDir
    Path dir;
    private String json;

    @BeforeEach
    void writeUserConfig() throws IOException {
        MultiLayerConfiguration user = new NeuralNetConfiguration.Builder()
                .seed(7).updater(new Adam(1e-3)).dataType(DataType.FLOAT)
                .list()
                .layer(new DenseLayer.Builder().nIn(3).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(2)
                        .activation(Activation.IDENTITY).build())
                .build();
        Path file = dir.resolve("net.json");
        Files.writeString(file, user.toJson());
        json = file.toString();
    }

    @Test
    void userNetworkIsBuiltWithTheRunsDataTypeOptimizerAndWeightDecayOnce() {
        ComputationGraph net = build(json, 42);
        assertEquals(2, net.getLayers().length);
        assertEquals(3 * 5 + 5 + 5 * 2 + 2, net.numParams());
        assertEquals(DataType.DOUBLE, net.params().dataType());
        for (Layer layer : net.getLayers()) {
            BaseLayer conf = (BaseLayer) layer.conf().getLayer();
            assertInstanceOf(Momentum.class, conf.getIUpdater(), "the run's optimizer replaces the file's Adam");
            List<Regularization> decay = conf.getRegularization().stream()
                    .filter(r -> r instanceof WeightDecay).toList();
            assertEquals(1, decay.size(), "one weight decay, was " + conf.getRegularization());
        }
        INDArray out = net.outputSingle(TestModels.classification(4, SHAPE, 2).getFeatures());
        assertArrayEquals(new long[] {4, 2}, out.shape());
    }

    /**
     * SGD's first step: L2 adds η·λ·w₀ and weight decay η·δ·w₀, each once (DL4J's fine-tuning would double the decay
     * and drop L2).
     */
    @Test
    void l2AndWeightDecayBothApplyOnceToTheUserNetwork() {
        OptimizerConfig plain = new OptimizerConfig(OptimizerType.SGD, 0.05, null, null, null, null, null, null, null,
                null, null);
        OptimizerConfig regularized = new OptimizerConfig(OptimizerType.SGD, 0.05, null, null, null, null, null, 0.2,
                0.1, null, null);
        ComputationGraph a = build(json, 42, plain);
        ComputationGraph b = build(json, 42, regularized);
        INDArray w0 = a.getLayers()[0].getParam("W").dup();
        DataSet batch = TestModels.classification(6, SHAPE, 4);
        a.fit(batch);
        b.fit(batch);
        assertArrayEquals(values(w0.mul(0.05 * (0.2 + 0.1))),
                values(a.getLayers()[0].getParam("W").sub(b.getLayers()[0].getParam("W"))), 1e-12);
        for (GraphVertex v : b.getConfiguration().getVertices().values()) {
            if (v instanceof LayerVertex) {
                assertEquals(List.of(new L2Regularization(0.2), new WeightDecay(0.1, true)),
                        ((BaseLayer) ((LayerVertex) v).getLayerConf().getLayer()).getRegularization(),
                        "the saved configuration holds the same regularization");
            }
        }
    }

    @Test
    void userNetworkIsSeededByTheRunNotByTheFile() {
        INDArray first = build(json, 42).params();
        assertArrayEquals(values(first), values(build(json, 42).params()), 0.0);
        assertFalse(first.equalsWithEps(build(json, 43).params(), 1e-6));
    }

    @Test
    void userNetworkTrains() {
        ComputationGraph net = build(json, 42);
        INDArray before = net.params().dup();
        net.fit(TestModels.classification(6, SHAPE, 4));
        assertFalse(before.equalsWithEps(net.params(), 1e-9));
    }

    @Test
    void unreadableFileFailsNamingTheConfigKeyAndThePath() throws IOException {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{ not json");
        ConfigException e = assertThrows(ConfigException.class, () -> build(bad.toString(), 42));
        assertEquals("model.dl4j", e.path());
        assertTrue(e.getMessage().startsWith("model.dl4j: must be a readable DL4J MultiLayerConfiguration JSON file ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith(", was " + bad), e.getMessage());
        String absent = dir.resolve("nope.json").toString();
        ConfigException missing = assertThrows(ConfigException.class, () -> build(absent, 42));
        assertEquals("model.dl4j", missing.path());
    }

    private static ComputationGraph build(String path, long seed) {
        return build(path, seed, MOMENTUM_WITH_DECAY);
    }

    private static ComputationGraph build(String path, long seed, OptimizerConfig optimizer) {
        ModelConfig model = new ModelConfig(NumericType.DOUBLE, null, null, null, null, null, null, null, null, path, null, null, null, null);
        return new ModelFactory(model, optimizer, seed, 100).build(SHAPE, Storage.withDefaults());
    }
}

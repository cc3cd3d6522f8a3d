package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.sparkdnn.model.TestModels.values;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.OptimizerType;
import org.sparkdnn.config.ScheduleConfig;
import org.sparkdnn.config.ScheduleType;
import org.sparkdnn.optimizer.CosineSchedule;
import org.sparkdnn.optimizer.Momentum;
import org.sparkdnn.optimizer.ScheduledAdaGrad;

/**
 * A trained model written with {@code ModelSerializer.writeModel(net, stream, true)} and restored ({@link ModelZip})
 * is the same model:
 * our losses, the SwiGLU and residual blocks, our Momentum/AdaGrad updaters and the cosine schedule survive DL4J's
 * JSON, and training continues exactly where it stopped.
 */
class ModelSerializationTest {
    private static final IoShape SHAPE = new IoShape(3, 2);
    private static final List<LayerConfig> ZOO = List.of(LayerConfig.dense(4, Activation.TANH),
            TestModels.layer(LayerType.RESIDUAL, 5), TestModels.layer(LayerType.SWIGLU, 3));
    private static final DataSet BATCH = TestModels.classification(6, SHAPE, 5);

    record Case(Loss loss, OptimizerType optimizer, Class<? extends IUpdater> updater) {
    }

    static Stream<Case> cases() {
        return Stream.of(new Case(Loss.SOFTMAX_CROSS_ENTROPY, OptimizerType.MOMENTUM, Momentum.class),
                new Case(Loss.BCE_WITH_LOGITS, OptimizerType.ADAGRAD, ScheduledAdaGrad.class));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void restoredModelHasIdenticalParametersOutputsConfigAndUpdaterStateAndTrainsOnIdentically(Case c)
            throws IOException {
        ScheduleConfig cosine = new ScheduleConfig(ScheduleType.COSINE, null, null, null, 10L, 0.001, null);
        OptimizerConfig optimizer = new OptimizerConfig(c.optimizer(), 0.1, 0.9, null, null, null, null, null, null,
                null, cosine);
        ModelConfig model = TestModels.model(c.loss(), Activation.RELU, ZOO);
        ComputationGraph net = TestModels.build(model, optimizer, TestModels.SEED, SHAPE);
        net.fit(BATCH);
        net.fit(BATCH);

        ComputationGraph restored = roundTrip(net);

        assertArrayEquals(values(net.params()), values(restored.params()), 0.0, "params");
        assertArrayEquals(values(net.outputSingle(BATCH.getFeatures())),
                values(restored.outputSingle(BATCH.getFeatures())), 0.0, "outputs");
        assertEquals(net.getConfiguration().toJson(), restored.getConfiguration().toJson(), "configuration JSON");
        assertEquals(2, restored.getConfiguration().getIterationCount());
        IUpdater updater = ((BaseLayer) layer(restored, "layer2_W")).getIUpdater();
        assertInstanceOf(c.updater(), updater);
        assertEquals(new CosineSchedule(0.1, 0.001, 10), scheduleOf(updater));
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 0.3)) + 0.001 * 0.5 * (1 - Math.cos(Math.PI * 0.3)),
                updater.getLearningRate(3, 0), 1e-15, "η_3 of the restored schedule");
        assertEquals(Dl4jMapping.loss(c.loss()), ((OutputLayer) layer(restored, ModelFactory.OUTPUT)).getLossFn());
        assertArrayEquals(values(net.getUpdater().getStateViewArray()),
                values(restored.getUpdater().getStateViewArray()), 0.0, "updater state (velocity/history)");
        assertNotEquals(0.0, restored.getUpdater().getStateViewArray().norm2Number().doubleValue());

        net.fit(BATCH);
        restored.fit(BATCH);
        assertArrayEquals(values(net.params()), values(restored.params()), 0.0,
                "params after one more step");
    }

    private static ComputationGraph roundTrip(ComputationGraph net) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, true);
        return ModelZip.read("the round trip", bytes.toByteArray(), true); // the reader every load path uses
    }

    private static ISchedule scheduleOf(IUpdater updater) {
        return updater instanceof Momentum ? ((Momentum) updater).getLearningRateSchedule()
                : ((ScheduledAdaGrad) updater).getLearningRateSchedule();
    }

    private static org.deeplearning4j.nn.conf.layers.Layer layer(ComputationGraph net, String vertex) {
        return ((LayerVertex) net.getConfiguration().getVertices().get(vertex)).getLayerConf().getLayer();
    }
}

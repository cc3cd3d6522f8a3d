package org.sparkdnn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Valid configs: defaults for absent keys, --set overrides, enum spellings and the resolved-config round trip. */
class ConfigLoaderTest {
    private static final String DATA = "data: {train: train.csv}\n";

    private final ConfigLoader loader = new ConfigLoader();

    private RunConfig parse(String yaml, String... overrides) {
        return loader.parse("x.yaml", yaml, List.of(overrides));
    }

    @Test
    void fillsDocumentedDefaultsWhenOnlyTheTrainingFileIsGiven() {
        RunConfig config = parse(DATA);

        ModelConfig model = config.model();
        assertEquals(NumericType.FLOAT, model.dataType());
        assertEquals(List.of(), model.layers());
        assertEquals(Activation.RELU, model.activation());
        assertEquals(0.01, model.leakyReluAlpha());
        assertEquals(WeightInit.HE, model.weightInit());
        assertEquals(0.01, model.initScale());
        assertEquals(0.0, model.dropout());
        assertTrue(model.bias());
        assertEquals(Loss.SOFTMAX_CROSS_ENTROPY, model.loss());
        assertEquals(Optional.empty(), model.dl4jConfig());

        OptimizerConfig optimizer = config.optimizer();
        assertEquals(OptimizerType.SGD, optimizer.type());
        assertEquals(0.01, optimizer.learningRate());
        assertEquals(0.9, optimizer.momentum());
        assertEquals(0.999, optimizer.beta2());
        assertEquals(1e-8, optimizer.epsilon());
        assertEquals(0.0, optimizer.weightDecay());
        assertEquals(ScheduleType.CONSTANT, optimizer.schedule().type());

        DataConfig data = config.data();
        assertEquals(DataFormat.CSV, data.format());
        assertEquals("train.csv", data.train());
        assertEquals(-1, data.labelColumn());
        assertEquals(false, data.header());
        assertEquals(",", data.delimiter());
        assertNull(data.numClasses());
        assertEquals(Scaling.NONE, data.scaling());
        assertEquals(0.0, data.validationFraction());
        assertEquals(0.0, data.testFraction());
        assertEquals(1234L, data.splitSeed());

        TrainingConfig training = config.training();
        assertEquals(10, training.epochs());
        assertEquals(64, training.batchSize());
        assertEquals(42L, training.seed());
        assertEquals(10, training.logEvery());

        assertEquals(Engine.LOCAL, config.cluster().engine());
        assertEquals("local[2]", config.cluster().master());
        assertEquals(2, config.cluster().workers());
        assertEquals(Map.of(), config.cluster().spark());
        assertEquals(1, config.checkpoint().everyEpochs());
        assertEquals(3, config.checkpoint().keepLast());
        assertEquals("runs/latest", config.output().dir());
    }

    @Test
    void defaultsDependOnTheOptimizerAndScheduleType() {
        assertEquals(1e-6, parse(DATA + "optimizer: {type: adagrad}\n").optimizer().epsilon());
        assertEquals(0.01, parse(DATA + "optimizer: {type: adamw}\n").optimizer().weightDecay());
        assertEquals(0.999, parse(DATA + "optimizer: {schedule: {type: exponential}}\n").optimizer().schedule().gamma());
        assertEquals(0.1, parse(DATA + "optimizer: {schedule: {type: step}}\n").optimizer().schedule().gamma());
    }

    @Test
    void residualLayerMayOmitItsUnits() {
        LayerConfig layer = parse(DATA + "model: {layers: [{type: residual}]}\n").model().layers().get(0);
        assertEquals(LayerType.RESIDUAL, layer.type());
        assertEquals(Optional.empty(), layer.width());
    }

    @Test
    void overridesReplaceNestedKeysAndCreateMissingSections() {
        RunConfig config = parse(DATA + "optimizer: {type: adam, learningRate: 0.1}\n",
                "optimizer.learningRate=0.002", "optimizer.schedule.type=cosine", "training.epochs=3");
        assertEquals(OptimizerType.ADAM, config.optimizer().type(), "untouched sibling kept");
        assertEquals(0.002, config.optimizer().learningRate());
        assertEquals(ScheduleType.COSINE, config.optimizer().schedule().type());
        assertEquals(3, config.training().epochs());
    }

    @Test
    void sparkSettingsWithDottedKeysAreOverriddenAsAWholeSection() {
        RunConfig config = parse(DATA + "cluster: {spark: {spark.ui.enabled: 'false'}}\n",
                "cluster.spark={spark.executor.memory: 2g}");
        assertEquals(Map.of("spark.executor.memory", "2g"), config.cluster().spark());
    }

    @Test
    void overrideAddressesAListElementByIndex() {
        RunConfig config = parse(DATA + "model: {layers: [{units: 8}, {units: 4, activation: tanh}]}\n",
                "model.layers.0.units=32", "model.layers.1.activation=gelu");
        assertEquals(List.of(LayerConfig.of(LayerType.DENSE, 32, null, null, null),
                LayerConfig.of(LayerType.DENSE, 4, Activation.GELU, null, null)), config.model().layers());
    }

    @Test
    void overrideAtIndexSizeAppendsAListElement() {
        RunConfig whole = parse(DATA + "model: {layers: [{units: 8}]}\n", "model.layers.1={units: 4, type: swiglu}");
        assertEquals(List.of(LayerConfig.of(LayerType.DENSE, 8, null, null, null),
                LayerConfig.of(LayerType.SWIGLU, 4, null, null, null)), whole.model().layers());

        RunConfig byKey = parse(DATA + "model: {layers: [{units: 8}]}\n", "model.layers.1.units=16");
        assertEquals(List.of(LayerConfig.of(LayerType.DENSE, 8, null, null, null),
                LayerConfig.of(LayerType.DENSE, 16, null, null, null)), byKey.model().layers());
    }

    @Test
    void overrideCreatesAListThatTheFileDoesNotHave() {
        RunConfig config = parse(DATA, "model.layers.0.units=5", "model.layers.1.type=residual");
        assertEquals(List.of(LayerConfig.of(LayerType.DENSE, 5, null, null, null),
                LayerConfig.of(LayerType.RESIDUAL, null, null, null, null)), config.model().layers());
    }

    @Test
    void overrideValuesAreTypedAsYaml() {
        RunConfig config = parse(DATA, "data.header=true", "data.delimiter=;", "output.dir=runs/a b");
        assertTrue(config.data().header());
        assertEquals(";", config.data().delimiter());
        assertEquals("runs/a b", config.output().dir());
    }

    @Test
    void overridesApplyInOrderAndTheLastWins() {
        assertEquals(0.5, parse(DATA, "optimizer.learningRate=0.1", "optimizer.learningRate=0.5")
                .optimizer().learningRate());
    }

    @ParameterizedTest(name = "{0} is read as {1}")
    @CsvSource({
        "silu, SWISH", "swish, SWISH", "linear, IDENTITY", "leakyRelu, LEAKY_RELU", "leaky_relu, LEAKY_RELU",
        "LEAKY-RELU, LEAKY_RELU", "GELU, GELU"})
    void acceptsActivationSpellingsAndAliases(String spelling, Activation expected) {
        assertEquals(expected, parse(DATA + "model: {activation: " + spelling + "}\n").model().activation());
    }

    @ParameterizedTest(name = "{0} is read as {1}")
    @CsvSource({"glorot, XAVIER", "xavier, XAVIER", "kaiming, HE", "He, HE", "lecun, LECUN"})
    void acceptsWeightInitAliases(String spelling, WeightInit expected) {
        assertEquals(expected, parse(DATA + "model: {weightInit: " + spelling + "}\n").model().weightInit());
    }

    @Test
    void acceptsCamelCaseAndSnakeCaseOfMultiWordEnums() {
        RunConfig config = parse(DATA + "model: {loss: bce_with_logits}\noptimizer: {schedule: {type: inverseSqrt}}\n");
        assertSame(Loss.BCE_WITH_LOGITS, config.model().loss());
        assertSame(ScheduleType.INVERSE_SQRT, config.optimizer().schedule().type());
    }

    @Test
    void resolvedConfigRoundTripsThroughYaml() {
        RunConfig config = parse(String.join("\n",
                "model:",
                "  dataType: double",
                "  layers:",
                "    - {type: dense, units: 16, activation: silu, dropout: 0.1, weightInit: glorot}",
                "    - {type: residual}",
                "    - {type: swiglu, units: 8}",
                "  leakyReluAlpha: 0.2",
                "  loss: bceWithLogits",
                "optimizer: {type: adamw, learningRate: 3.0e-4, epsilon: 1.0e-7,",
                "            schedule: {type: cosine, warmupSteps: 10, totalSteps: 1000, minLearningRate: 1.0e-5}}",
                "data: {format: csv, train: 'hdfs://nn:8020/d/train.csv', validation: v.csv, header: true,",
                "       delimiter: ';', labelColumn: 0, numClasses: 2, scaling: standardize, testFraction: 0.25,",
                "       splitSeed: 7}",
                "training: {epochs: 3, batchSize: 32, seed: 9007199254740993, patience: 2, minDelta: 0.001}",
                "cluster: {engine: sync, master: 'local[4]', workers: 4, spark: {spark.executor.memory: 2g}}",
                "checkpoint: {dir: ckpt, everySteps: 100}",
                "output: {dir: runs/x}",
                ""));

        String yaml = loader.toYaml(config);
        RunConfig again = loader.parse("resolved.yaml", yaml, List.of());

        assertEquals(config, again, yaml);
        assertTrue(yaml.contains("activation: swish"), "enums are written with their YAML key: " + yaml);
        assertTrue(yaml.contains("loss: bceWithLogits"), yaml);
    }

    @Test
    void defaultConfigRoundTripsThroughYaml() {
        RunConfig config = parse(DATA);
        assertEquals(config, loader.parse("resolved.yaml", loader.toYaml(config), List.of()));
    }

    @Test
    void resolvedConfigRoundTripsThroughTheJsonTree() {
        RunConfig config = parse(DATA + "model: {layers: [{units: 3}]}\n");
        assertEquals(config, loader.bind("manifest", loader.toTree(config)));
    }

    @Test
    void emptyFileFailsOnlyForTheMissingDataSection() {
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> parse(""));
        assertEquals("x.yaml: data: must be set, was missing", e.getMessage());
        assertNotEquals(null, parse("", "data.train=t.csv").data());
    }

    /** cluster.peer.ports: a range, or one port written as a YAML number or through --set. */
    @Test
    void peerPortsAreARangeOrOnePortWrittenAsANumber() {
        ConfigLoader loader = new ConfigLoader();
        PeerConfig range = loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync, peer: {ports: 40100-40199}}", List.of()).cluster().peer();
        assertEquals(40100, range.portLow());
        assertEquals(40199, range.portHigh());
        PeerConfig one = loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync, peer: {ports: 40100}}", List.of()).cluster().peer();
        assertEquals(40100, one.portLow());
        assertEquals(40100, one.portHigh());
        PeerConfig set = loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync}", List.of("cluster.peer.ports=40100")).cluster().peer();
        assertEquals(40100, set.portHigh());
        PeerConfig any = loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync}", List.of()).cluster().peer();
        assertEquals(0, any.portLow());
        assertEquals(Exchange.PEER, loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync}", List.of()).cluster().exchange());
        assertEquals(Exchange.DRIVER, loader.parse("t", "data: {train: x.csv}\ncluster: {engine: local}", List.of()).cluster().exchange());
    }

    /** cluster.frameIntegrity: mac unless turned off; cluster.psPort: any free port unless fixed. */
    @Test
    void framesCarryMacsAndTheServerTakesAnyFreePortUnlessConfiguredOtherwise() {
        ConfigLoader loader = new ConfigLoader();
        ClusterConfig defaults = loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync}", List.of()).cluster();
        assertEquals(FrameIntegrity.MAC, defaults.frameIntegrity());
        assertEquals(0, defaults.psPort());
        ClusterConfig set = loader.parse("t", "data: {train: x.csv}\ncluster: {engine: sync, frameIntegrity: off, psPort: 40200}", List.of()).cluster();
        assertEquals(FrameIntegrity.OFF, set.frameIntegrity());
        assertEquals(40200, set.psPort());
    }
}

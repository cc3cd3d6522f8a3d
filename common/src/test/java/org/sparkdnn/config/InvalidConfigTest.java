package org.sparkdnn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every invalid config fails with a {@link ConfigException} whose message reads
 * {@code x.yaml: <dotted.path>: <rule>, was <value>}: the file, where in it, the rule broken and the offending value.
 */
class InvalidConfigTest {
    private static final String FILE = "x.yaml";
    private static final String DATA = "data: {train: train.csv}\n";

    /**
     * One invalid config.
     *
     * @param what      the case, as a sentence
     * @param yaml      the file content
     * @param overrides {@code --set} arguments
     * @param path      the location the message must name after the file name ("" for the whole file)
     * @param rule      text of the rule the message must contain
     * @param value     the offending value the message must end with
     */
    record Row(String what, String yaml, List<String> overrides, String path, String rule, String value) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static Row row(String what, String yaml, String path, String rule, String value) {
        return new Row(what, yaml, List.of(), path, rule, value);
    }

    private static Row withData(String what, String yaml, String path, String rule, String value) {
        return row(what, DATA + yaml, path, rule, value);
    }

    private static Row override(String what, String set, String path, String rule, String value) {
        return new Row(what, DATA + "model: {layers: [{units: 4}]}\n", List.of(set), path, rule, value);
    }

    static Stream<Row> invalidConfigs() {
        List<Row> rows = new ArrayList<>();
        // unknown keys, at every level
        rows.add(withData("unknown top-level key", "foo: 1\n", "foo", "unknown key (known: checkpoint, cluster, data, model, optimizer, output, training)", "foo"));
        rows.add(withData("unknown optimizer key", "optimizer: {lr: 0.1}\n", "optimizer.lr", "unknown key (known: beta1,", "lr"));
        rows.add(withData("unknown schedule key", "optimizer: {schedule: {warmup: 5}}\n", "optimizer.schedule.warmup", "unknown key", "warmup"));
        rows.add(withData("unknown layer key", "model: {layers: [{units: 3}, {units: 3, unit: 2}]}\n", "model.layers[1].unit", "unknown key (known: activation, batchNorm, dropout, filters, kernel, padding, stride, type, units, weightInit)", "unit"));
        rows.add(row("unknown data key in another case", "data: {train: t.csv, labelcolumn: 0}\n", "data.labelcolumn", "unknown key", "labelcolumn"));
        rows.add(withData("unknown training key", "training: {epoch: 3}\n", "training.epoch", "unknown key", "epoch"));
        // wrong types: nothing is coerced
        rows.add(withData("string for a number", "optimizer: {learningRate: abc}\n", "optimizer.learningRate", "must be a number", "abc"));
        rows.add(withData("quoted number for a number", "optimizer: {learningRate: '0.1'}\n", "optimizer.learningRate", "must be a number", "0.1"));
        rows.add(withData("float for an int", "training: {epochs: 2.5}\n", "training.epochs", "must be an integer", "2.5"));
        rows.add(withData("quoted int for an int", "training: {batchSize: '64'}\n", "training.batchSize", "must be an integer", "64"));
        rows.add(withData("float for a long seed", "training: {seed: 1.5}\n", "training.seed", "must be an integer", "1.5"));
        rows.add(withData("number for a boolean", "model: {bias: 1}\n", "model.bias", "must be true or false", "1"));
        rows.add(withData("list for a section", "optimizer: [1, 2]\n", "optimizer", "must be a section of key: value pairs", "a section or list"));
        rows.add(withData("section for a list", "model: {layers: {units: 3}}\n", "model.layers", "must be a list", "a section or list"));
        rows.add(withData("section for an enum", "model: {activation: {name: relu}}\n", "model.activation", "must be one of [relu, leakyRelu, elu, selu, swish, gelu, tanh, sigmoid, identity]", "a section or list"));
        rows.add(withData("integer out of range", "training: {epochs: 99999999999}\n", "training.epochs", "must be an integer within range", "99999999999"));
        // enum values
        rows.add(withData("unknown activation", "model: {activation: blah}\n", "model.activation", "must be one of [relu, leakyRelu, elu, selu, swish, gelu, tanh, sigmoid, identity]", "blah"));
        rows.add(withData("unknown layer activation", "model: {layers: [{units: 3, activation: softmax}]}\n", "model.layers[0].activation", "must be one of [relu,", "softmax"));
        rows.add(withData("unknown loss", "model: {loss: crossEntropy}\n", "model.loss", "must be one of [l1, l2, mse, bceWithLogits, softmaxCrossEntropy]", "crossEntropy"));
        rows.add(withData("unknown optimizer type", "optimizer: {type: adamax}\n", "optimizer.type", "must be one of [sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw]", "adamax"));
        rows.add(withData("unknown weight init", "model: {weightInit: zeros}\n", "model.weightInit", "must be one of [xavier, he, lecun, normal, uniform, torch]", "zeros"));
        rows.add(withData("unknown schedule type", "optimizer: {schedule: {type: linear}}\n", "optimizer.schedule.type", "must be one of [constant, step, exponential, inverseSqrt, cosine]", "linear"));
        rows.add(withData("unknown engine", "cluster: {engine: async}\n", "cluster.engine", "must be one of [local, sync, reference, shared, averaging]", "async"));
        rows.add(row("unknown data format", "data: {train: t.csv, format: orc}\n", "data.format", "must be one of [csv, idx, libsvm, parquet, cifar, cifar100, images, synthetic]", "orc"));
        rows.add(row("unknown scaling", "data: {train: t.csv, scaling: minmax}\n", "data.scaling", "must be one of [none, divide255, standardize, perChannel]", "minmax"));
        rows.add(withData("unknown data type", "model: {dataType: half}\n", "model.dataType", "must be one of [float, double]", "half"));
        rows.add(withData("unknown layer type", "model: {layers: [{type: conv, units: 3}]}\n", "model.layers[0].type", "must be one of [dense, residual, swiglu, conv2d, maxPool, avgPool, globalAvgPool, batchNorm, residualConv]", "conv"));
        // image models
        rows.add(withData("conv2d without filters", "model: {layers: [{type: conv2d, kernel: 3}]}\n", "model.layers[0].filters", "must be set for a conv2d layer", "missing"));
        rows.add(withData("kernel of three numbers", "model: {layers: [{type: conv2d, filters: 2, kernel: [3, 3, 3]}]}\n", "model.layers[0].kernel", "must be a positive integer or [height, width]", "[3, 3, 3]"));
        rows.add(withData("padding on a dense layer", "model: {layers: [{units: 3, padding: same}]}\n", "model.layers[0].padding", "applies to conv2d, maxPool, avgPool layers, not dense", "same"));
        rows.add(withData("input shape of two numbers", "model: {inputShape: [1, 28]}\n", "model.inputShape", "must be [channels, height, width], each > 0", "[1, 28]"));
        rows.add(row("negative shift", "data: {train: t.csv, augment: {shift: {pixels: -1}}}\n", "data.augment.shift.pixels", "must be > 0", "-1"));
        rows.add(row("rotation past 180", "data: {train: t.csv, augment: {rotate: {degrees: 200}}}\n", "data.augment.rotate.degrees", "must be in (0, 180]", "200.0"));
        rows.add(row("unknown transform", "data: {train: t.csv, augment: {cutout: {size: 8}}}\n", "data.augment.cutout", "unknown key (known: gaussianNoise, horizontalFlip, randomCrop, rotate, shift)", "cutout"));
        // numbers out of range
        rows.add(withData("negative learning rate", "optimizer: {learningRate: -0.1}\n", "optimizer.learningRate", "must be > 0", "-0.1"));
        rows.add(withData("zero learning rate", "optimizer: {learningRate: 0}\n", "optimizer.learningRate", "must be > 0", "0.0"));
        rows.add(withData("zero epochs", "training: {epochs: 0}\n", "training.epochs", "must be > 0", "0"));
        rows.add(withData("negative batch size", "training: {batchSize: -1}\n", "training.batchSize", "must be > 0", "-1"));
        rows.add(withData("batch size neither a number nor all", "training: {batchSize: most}\n", "training.batchSize", "must be an integer > 0 or all", "most"));
        rows.add(row("unknown synthetic generator", "data: {format: synthetic, train: spiral}\n", "data.train", "must name a synthetic generator [points, teacher, halfspace]", "spiral"));
        rows.add(row("synthetic parameters for a file", "data: {train: t.csv, synthetic: {count: 5}}\n", "data.synthetic", "applies to data.format synthetic; format is csv", "set"));
        rows.add(row("synthetic set of no rows", "data: {format: synthetic, train: points, synthetic: {count: 0}}\n", "data.synthetic.count", "must be > 0", "0"));
        rows.add(row("synthetic with a test file", "data: {format: synthetic, train: points, test: t.csv}\n", "data.test", "is a file; with data.format synthetic hold rows out", "t.csv"));
        rows.add(row("training subset with executor-read data", "data: {train: t.csv, read: executors, trainSubset: 100}\n", "data.trainSubset", "applies to data read by the driver", "100"));
        rows.add(withData("random biases for a network from a file", "model: {dl4j: net.json, biasInit: normal}\n", "model.biasInit", "applies to the biases of a network built from model.layers (model.dl4j brings its own network)", "normal"));
        rows.add(withData("random biases without biases", "model: {bias: false, biasInit: torch}\n", "model.biasInit", "(model.bias is false)", "torch"));
        rows.add(row("outliers in class labels", "data: {format: synthetic, train: halfspace, synthetic: {outliers: 0.1}}\n", "data.synthetic.outliers", "shifts regression targets (points, teacher); halfspace has class labels", "0.1"));
        rows.add(withData("unknown bias init", "model: {biasInit: ones}\n", "model.biasInit", "must be one of [zero, normal, torch]", "ones"));
        rows.add(withData("zero workers", "cluster: {workers: 0}\n", "cluster.workers", "must be > 0", "0"));
        rows.add(withData("negative init scale", "model: {initScale: -1}\n", "model.initScale", "must be > 0", "-1.0"));
        rows.add(withData("negative l2", "optimizer: {l2: -0.5}\n", "optimizer.l2", "must be >= 0", "-0.5"));
        rows.add(withData("negative keepLast", "checkpoint: {keepLast: -1}\n", "checkpoint.keepLast", "must be >= 0", "-1"));
        rows.add(withData("negative maxSteps", "training: {maxSteps: -5}\n", "training.maxSteps", "must be >= 0", "-5"));
        rows.add(withData("seed 0", "training: {seed: 0}\n", "training.seed", "must not be 0 (DL4J treats 0 as unseeded)", "0"));
        rows.add(withData("negative trainMetricsExamples", "training: {trainMetricsExamples: -1}\n", "training.trainMetricsExamples", "must be >= 0", "-1"));
        // fractions
        rows.add(withData("dropout of 1", "model: {dropout: 1.0}\n", "model.dropout", "must be in [0, 1)", "1.0"));
        rows.add(withData("layer dropout above 1", "model: {layers: [{units: 3, dropout: 1.5}]}\n", "model.layers[0].dropout", "must be in [0, 1)", "1.5"));
        rows.add(withData("momentum above 1", "optimizer: {momentum: 1.5}\n", "optimizer.momentum", "must be in [0, 1)", "1.5"));
        rows.add(withData("negative beta2", "optimizer: {beta2: -0.1}\n", "optimizer.beta2", "must be in [0, 1)", "-0.1"));
        rows.add(withData("zero gamma", "optimizer: {schedule: {type: step, gamma: 0}}\n", "optimizer.schedule.gamma", "must be in (0, 1]", "0.0"));
        rows.add(row("validation fraction above 1", "data: {train: t.csv, validationFraction: 1.2}\n", "data.validationFraction", "must be in [0, 1)", "1.2"));
        rows.add(row("held-out fractions summing to 1", "data: {train: t.csv, validationFraction: 0.5, testFraction: 0.5}\n", "data.testFraction", "validationFraction + testFraction must be < 1", "0.5 + 0.5"));
        // data section
        rows.add(row("no data section", "model: {}\n", "data", "must be set", "missing"));
        rows.add(row("no training file", "data: {numClasses: 3}\n", "data.train", "must be set", "missing"));
        rows.add(row("blank training file", "data: {train: ' '}\n", "data.train", "must be set", "\" \""));
        rows.add(row("IDX without train labels", "data: {format: idx, train: images.idx}\n", "data.trainLabels", "must be set", "missing"));
        rows.add(row("IDX validation without labels", "data: {format: idx, train: a.idx, trainLabels: b.idx, validation: c.idx}\n", "data.validationLabels", "must be set for an IDX validation file", "missing"));
        rows.add(row("validation file and validation fraction", "data: {train: a.csv, validation: b.csv, validationFraction: 0.1}\n", "data.validationFraction", "must be 0 when a validation file is given", "0.1"));
        rows.add(row("test file and test fraction", "data: {train: a.csv, test: b.csv, testFraction: 0.2}\n", "data.testFraction", "must be 0 when a test file is given", "0.2"));
        rows.add(row("empty delimiter", "data: {train: a.csv, delimiter: ''}\n", "data.delimiter", "must not be empty", "\"\""));
        rows.add(row("zero numFeatures", "data: {train: a.svm, format: libsvm, numFeatures: 0}\n", "data.numFeatures", "must be > 0", "0"));
        rows.add(row("one class for softmax", "data: {train: a.csv, numClasses: 1}\n", "data.numClasses", "must be >= 2 for softmaxCrossEntropy", "1"));
        // layers
        rows.add(withData("dense layer without units", "model: {layers: [{type: dense}]}\n", "model.layers[0].units", "must be set for a dense layer", "missing"));
        rows.add(withData("swiglu layer without units", "model: {layers: [{units: 8}, {type: swiglu}]}\n", "model.layers[1].units", "must be set for a swiglu layer", "missing"));
        rows.add(withData("dense layer with zero units", "model: {layers: [{units: 0}]}\n", "model.layers[0].units", "must be > 0", "0"));
        rows.add(withData("residual layer with negative units", "model: {layers: [{type: residual, units: -3}]}\n", "model.layers[0].units", "must be > 0", "-3"));
        // cluster and output
        rows.add(withData("more workers than examples per batch", "training: {batchSize: 4}\ncluster: {engine: sync, workers: 8}\n", "cluster.workers", "must be <= training.batchSize (4)", "8"));
        rows.add(withData("shared with workers not dividing the batch", "training: {batchSize: 32}\ncluster: {engine: shared, workers: 3}\n", "cluster.workers", "must divide training.batchSize (32) with engine shared", "3"));
        rows.add(withData("averaging with a step limit", "training: {maxSteps: 100}\ncluster: {engine: averaging}\n", "training.maxSteps", "is not supported with engine averaging (it trains whole epochs)", "100"));
        rows.add(withData("shared with step checkpoints", "checkpoint: {everySteps: 50}\ncluster: {engine: shared}\n", "checkpoint.everySteps", "is not supported with engine shared (it checkpoints at epoch boundaries)", "50"));
        rows.add(withData("shared with a worker failure injected", "cluster: {engine: shared, faultInjection: {worker: 0, step: 3}}\n", "cluster.faultInjection.step", "is supported by the sync engine only (engine shared: faultInjection.stallSeconds)", "3"));
        rows.add(withData("peer exchange with another engine", "cluster: {engine: local, exchange: peer}\n", "cluster.exchange", "peer is an exchange of engine sync; engine is local", "peer"));
        rows.add(withData("peerUpdate without the peer exchange", "cluster: {engine: sync, exchange: driver, peer: {update: owner}}\n", "cluster.peer.update", "applies to cluster.exchange: peer; exchange is driver", "owner"));
        rows.add(withData("owner slices with per-layer clipping", "optimizer: {clipNorm: 1.0}\ncluster: {engine: sync, exchange: peer, peer: {update: owner}}\n", "cluster.peer.update", "owner cannot clip per layer (optimizer.clipNorm 1.0)", "owner"));
        rows.add(withData("zero bucketMB", "cluster: {engine: sync, exchange: peer, peer: {bucketMB: 0}}\n", "cluster.peer.bucketMB", "must be > 0", "0.0"));
        rows.add(withData("overlap not a boolean", "cluster: {engine: sync, exchange: peer, peer: {overlap: sometimes}}\n", "cluster.peer.overlap", "must be true or false", "sometimes"));
        rows.add(withData("unknown peer update", "cluster: {engine: sync, exchange: peer, peer: {update: sharded}}\n", "cluster.peer.update", "must be one of [auto, owner, replicated]", "sharded"));
        rows.add(withData("peer ports reversed", "cluster: {engine: sync, peer: {ports: 40100-40000}}\n", "cluster.peer.ports", "must be LOW-HIGH (or one port) within 1..65535, LOW <= HIGH", "40100-40000"));
        rows.add(withData("peer ports not a range", "cluster: {engine: sync, peer: {ports: 'high ones'}}\n", "cluster.peer.ports", "must be LOW-HIGH (or one port) within 1..65535", "high ones"));
        rows.add(withData("negative psPort", "cluster: {engine: sync, psPort: -1}\n", "cluster.psPort", "must be >= 0", "-1"));
        rows.add(withData("psPort past 65535", "cluster: {engine: sync, psPort: 70000}\n", "cluster.psPort", "must be a TCP port, 1..65535 (or 0: any free port)", "70000"));
        rows.add(withData("unknown frame integrity", "cluster: {engine: sync, frameIntegrity: crc}\n", "cluster.frameIntegrity", "must be one of [mac, off]", "crc"));
        rows.add(withData("peer port 0", "cluster: {engine: sync, peer: {ports: 0-10}}\n", "cluster.peer.ports", "must be LOW-HIGH", "0-10"));
        rows.add(withData("peerUpdate, moved", "cluster: {engine: sync, exchange: peer, peerUpdate: owner}\n", "cluster.peerUpdate", "moved to cluster.peer.update (write it there)", "peerUpdate"));
        rows.add(withData("bucketMB, moved", "cluster: {engine: sync, exchange: peer, bucketMB: 5}\n", "cluster.bucketMB", "moved to cluster.peer.bucketMB (write it there)", "bucketMB"));
        rows.add(withData("overlap, moved", "cluster: {engine: sync, exchange: peer, overlap: false}\n", "cluster.overlap", "moved to cluster.peer.overlap (write it there)", "overlap"));
        rows.add(withData("a stall injected into the sync engine", "cluster: {engine: sync, faultInjection: {worker: 0, stallSeconds: 5}}\n", "cluster.faultInjection.stallSeconds", "is supported by engines shared and averaging only", "5"));
        rows.add(withData("shared with a cosine schedule", "optimizer: {schedule: {type: cosine}}\ncluster: {engine: shared}\n", "optimizer.schedule.type", "is not supported with engine shared: DL4J's workers step the schedule by their own iteration count", "cosine"));
        rows.add(withData("shared with warmup", "optimizer: {schedule: {warmupSteps: 20}}\ncluster: {engine: shared}\n", "optimizer.schedule.warmupSteps", "is not supported with engine shared", "20"));
        rows.add(withData("shared with a privileged port", "cluster: {engine: shared, shared: {port: 80}}\n", "cluster.shared.port", "must be in [1024, 65000]", "80"));
        rows.add(withData("shared with a malformed network mask", "cluster: {shared: {networkMask: 10.0.0.0}}\n", "cluster.shared.networkMask", "must be an IPv4 network like 10.0.0.0/16", "10.0.0.0"));
        rows.add(withData("averaging every 0 minibatches", "cluster: {averaging: {frequency: 0}}\n", "cluster.averaging.frequency", "must be > 0", "0"));
        rows.add(withData("an unknown threshold algorithm", "cluster: {shared: {thresholdAlgorithm: dynamic}}\n", "cluster.shared.thresholdAlgorithm", "must be one of [adaptive, fixed, targetSparsity]", "dynamic"));
        rows.add(withData("a non-spark key among the Spark settings", "cluster: {spark: {executor.memory: 2g}}\n", "cluster.spark.executor.memory", "keys must start with 'spark.'", "executor.memory"));
        rows.add(withData("blank output dir", "output: {dir: ''}\n", "output.dir", "must be set", "\"\""));
        // --set overrides
        rows.add(override("override without '='", "optimizer.learningRate", "--set", "must be key=value", "optimizer.learningRate"));
        rows.add(override("override without a key", "=3", "--set", "must be key=value", "=3"));
        rows.add(override("override past the end of a list", "model.layers.5.units=3", "--set", "list index must be 0..1", "model.layers.5.units=3"));
        rows.add(override("override with a non-numeric list index", "model.layers.first.units=3", "--set", "list index must be 0..1", "model.layers.first.units=3"));
        rows.add(override("override under a value", "data.train.path=a.csv", "--set", "'train' is a value, not a section", "data.train.path=a.csv"));
        rows.add(override("override with invalid YAML", "optimizer.learningRate=[", "--set optimizer.learningRate", "value is not valid YAML", "["));
        rows.add(override("override with an invalid value", "optimizer.learningRate=-1", "optimizer.learningRate", "must be > 0", "-1.0"));
        rows.add(override("override of an unknown key", "optimizer.lr=0.1", "optimizer.lr", "unknown key", "lr"));
        rows.add(override("override with a wrong type", "training.epochs=ten", "training.epochs", "must be an integer", "ten"));
        // YAML syntax and shape
        rows.add(row("unclosed flow list", DATA + "model: {layers: [\n", "line 2: invalid YAML", "expected the node content", "unparseable"));
        rows.add(row("mapping inside a plain value", DATA + "model: a: b\n", "line 2: invalid YAML", "mapping values are not allowed here", "unparseable"));
        rows.add(row("a list at the top", "- data\n- model\n", "", "must be a YAML mapping", "ARRAY"));
        rows.add(row("a scalar at the top", "hello\n", "", "must be a YAML mapping", "STRING"));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidConfigs")
    void rejectsInvalidConfigAndNamesFilePathRuleAndValue(Row row) {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(FILE, row.yaml(), row.overrides()));
        String message = e.getMessage();
        String where = row.path().isEmpty() ? FILE + ": " : FILE + ": " + row.path() + ": ";
        assertTrue(message.startsWith(where), () -> "expected the message to start with '" + where + "': " + message);
        assertTrue(message.contains(row.rule()), () -> "expected the rule '" + row.rule() + "': " + message);
        assertTrue(message.endsWith(", was " + row.value()), () -> "expected the value '" + row.value() + "': " + message);
    }

    @Test
    void tableCoversAtLeastThirtyInvalidConfigs() {
        assertTrue(invalidConfigs().count() >= 30);
    }

    @Test
    void rejectsNegativeLearningRateAndNamesTheField() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ConfigLoader().parse(FILE, DATA + "optimizer: {learningRate: -0.1}\n", List.of()));
        assertEquals("x.yaml: optimizer.learningRate: must be > 0, was -0.1", e.getMessage());
        assertEquals("must be > 0", e.rule());
        assertEquals("-0.1", e.value());
    }
}

package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.sparkdnn.model.TestModels.values;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;

/**
 * Configured dropout is live in training mode only, with the configured drop probability, and its masks are a pure
 * function of (seed, step, layer, position in the global batch, unit).
 */
class DropoutTest {
    private static final IoShape SHAPE = new IoShape(3, 2);
    private static final INDArray X = TestModels.classification(20, SHAPE, 9).getFeatures();

    @Test
    void trainingOutputsDifferBetweenCallsAndInferenceOutputsDoNot() {
        ModelConfig model = TestModels.withDropout(TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.TANH,
                List.of(LayerConfig.dense(8, null), TestModels.layer(LayerType.RESIDUAL, 8),
                        TestModels.layer(LayerType.SWIGLU, 8))), 0.5);
        ComputationGraph net = build(model);
        INDArray step1 = trainingOutput(net, X, 1);
        INDArray step2 = trainingOutput(net, X, 2);
        assertFalse(step1.equalsWithEps(step2, 1e-9), "two steps draw different masks");
        assertArrayEquals(values(step1), values(trainingOutput(net, X, 1)), 0.0, "a step's masks are a pure function");
        assertFalse(trainingOutput(net, X, 1).equalsWithEps(net.output(false, X)[0], 1e-9), "dropout is live");
        assertArrayEquals(values(net.output(false, X)[0]), values(net.output(false, X)[0]), 0.0);
    }

    /**
     * A mask belongs to an example's position in its global batch, not to the worker that computes it: rows 10..19
     * trained alone as positions 10..19 (a shard) see the masks they see in the whole batch.
     */
    @Test
    void aShardSeesTheMasksOfItsRowsInTheWholeBatch() {
        ModelConfig model = TestModels.withDropout(TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.TANH,
                List.of(LayerConfig.dense(8, null), TestModels.layer(LayerType.SWIGLU, 8))), 0.5);
        ComputationGraph net = build(model);
        INDArray whole = DropoutContext.with(7, DropoutContext.range(0, 20),
                () -> net.feedForward(X, true).get(ModelFactory.OUTPUT).dup());
        INDArray rows = X.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 20),
                org.nd4j.linalg.indexing.NDArrayIndex.all()).dup();
        INDArray shard = DropoutContext.with(7, DropoutContext.range(10, 10),
                () -> net.feedForward(rows, true).get(ModelFactory.OUTPUT).dup());
        INDArray wholeRows = whole.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 20),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        assertArrayEquals(values(wholeRows), values(shard), 1e-12);
        INDArray shifted = DropoutContext.with(7, DropoutContext.range(0, 10),
                () -> net.feedForward(rows, true).get(ModelFactory.OUTPUT).dup());
        assertFalse(shifted.equalsWithEps(shard, 1e-9), "other positions, other masks");
    }

    /** Only the SwiGLU block's input is dropped here; DL4J's SameDiff layers silently ignored dropout. */
    @Test
    void dropoutOnTheInputOfASwiGluBlockIsApplied() {
        ModelConfig model = TestModels.model(Loss.L2, Activation.TANH, List.of(
                LayerConfig.of(LayerType.DENSE, 8, null, 0.5, null),
                LayerConfig.of(LayerType.SWIGLU, 8, null, 0.0, null)));
        ComputationGraph net = build(model);
        assertFalse(trainingOutput(net, X, 3).equalsWithEps(net.output(false, X)[0], 1e-9));
    }

    /** DL4J's dropout argument is the retain probability; ours is the drop probability, kept ones are scaled up. */
    @Test
    void dropProbabilityIsTheFractionOfZeroedInputsAndKeptInputsAreScaledByOneOverRetain() {
        double drop = 0.25;
        ModelConfig model = TestModels.model(Loss.L2, Activation.TANH, List.of(
                LayerConfig.of(LayerType.DENSE, 50, null, drop, null),
                TestModels.layer(LayerType.SWIGLU, 4)));
        ComputationGraph net = build(model);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 400, 3).addi(0.5);
        double[] in = values(net.feedForward(x, false).get("layer0"));
        double[] out = values(net.feedForward(x, true).get("layer1_dropout"));
        int zeros = 0;
        for (int i = 0; i < in.length; i++) {
            if (out[i] == 0 && in[i] != 0) {
                zeros++;
            } else {
                assertEquals(in[i] / (1 - drop), out[i], 1e-12, "kept activation " + i);
            }
        }
        assertEquals(drop, zeros / (double) in.length, 0.01, "fraction dropped of " + in.length);
    }

    /** Dropout on a residual block's input must not reach its skip connection. */
    @Test
    void residualSkipConnectionCarriesTheUndroppedInput() {
        ModelConfig model = TestModels.model(Loss.L2, Activation.TANH, List.of(
                LayerConfig.of(LayerType.DENSE, 6, null, 0.5, null),
                LayerConfig.of(LayerType.RESIDUAL, 6, null, 0.0, null)));
        ComputationGraph net = build(model);
        INDArray input = net.feedForward(X, false).get("layer0");
        Map<String, INDArray> train = net.feedForward(X, true);
        INDArray skip = train.get("layer1").sub(train.get("layer1_V"));
        assertArrayEquals(values(input), values(skip), 1e-12);
        assertFalse(train.get("layer1").equalsWithEps(net.feedForward(X, false).get("layer1"), 1e-9),
                "the inner branch does see dropout");
    }

    /**
     * The network output of a forward pass in training mode. DL4J's {@code output(true, x)} fails with "Workspace
     * WS_LAYER_ACT_n for array type INPUT is not open" when the output layer has dropout; {@code feedForward} works.
     */
    private static INDArray trainingOutput(ComputationGraph net, INDArray x, long step) {
        return DropoutContext.with(step, DropoutContext.range(0, (int) x.size(0)),
                () -> net.feedForward(x, true).get(ModelFactory.OUTPUT).dup());
    }

    private static ComputationGraph build(ModelConfig model) {
        return TestModels.build(model, TestModels.sgd(0.1), TestModels.SEED, SHAPE);
    }
}

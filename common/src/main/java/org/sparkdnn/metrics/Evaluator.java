package org.sparkdnn.metrics;

import java.util.OptionalDouble;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.BaseOutputLayer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.sparkdnn.config.Loss;
import org.sparkdnn.data.ExampleMatrix;

/**
 * Evaluates a network on a split in chunks: the mean loss of its own output layer (no regularisation), plus
 * accuracy (argmax of the logits for softmax, logit &gt; 0 for BCE) or MSE. Output transforms are applied here,
 * at prediction time only.
 */
public final class Evaluator {
    private static final int CHUNK = 2048;
    private final Loss loss;

    public Evaluator(Loss loss) {
        this.loss = loss;
    }

    public Evaluation evaluate(ComputationGraph net, ExampleMatrix data) {
        ILossFunction lossFn = ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer)
                ((BaseOutputLayer<?>) net.getOutputLayer(0)).conf().getLayer()).getLossFn();
        double lossSum = 0;
        double sqErr = 0;
        long correct = 0;
        int n = data.count();
        for (int from = 0; from < n; from += CHUNK) {
            DataSet chunk = data.range(from, Math.min(n, from + CHUNK));
            INDArray logits = net.outputSingle(false, chunk.getFeatures());
            INDArray labels = chunk.getLabels().castTo(logits.dataType());
            lossSum += lossFn.computeScore(labels, logits.dup(), new ActivationIdentity(), null, false);
            if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
                INDArray predicted = logits.argMax(1);
                INDArray actual = labels.argMax(1);
                correct += predicted.eq(actual).castTo(DataType.INT).sumNumber().longValue();
            } else if (loss == Loss.BCE_WITH_LOGITS) {
                INDArray predicted = logits.gt(0).castTo(labels.dataType());
                correct += predicted.eq(labels).castTo(DataType.INT).sumNumber().longValue();
            } else {
                INDArray diff = logits.sub(labels);
                sqErr += diff.muli(diff).sumNumber().doubleValue();
            }
        }
        OptionalDouble accuracy = loss.isClassification() ? OptionalDouble.of(correct / (double) n) : OptionalDouble.empty();
        OptionalDouble mse = loss.isClassification() ? OptionalDouble.empty()
                : OptionalDouble.of(sqErr / ((double) n * net.getOutputLayer(0).getParam("W").size(1)));
        return new Evaluation(lossSum / n, accuracy, mse, n);
    }
}

package org.sparkdnn.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * A DL4J loss defined on the output layer's activations (the logits, with the identity activation). Subclasses give
 * the per-example score and its gradient; this class handles the activation's chain rule, masks and averaging the
 * way DL4J's own losses do (the gradient is per example, not divided by the batch size).
 */
abstract class LogitLoss implements ILossFunction {
    protected abstract INDArray scorePerExample(INDArray logits, INDArray labels);

    protected abstract INDArray gradientWrtLogits(INDArray logits, INDArray labels);

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray scores = scorePerExample(logits, labels.castTo(logits.dataType()));
        if (mask != null) {
            scores.muli(mask.castTo(scores.dataType()).reshape(scores.shape()));
        }
        return scores;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? sum / preOutput.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray dLdOut = gradientWrtLogits(logits, labels.castTo(logits.dataType()));
        if (mask != null) {
            dLdOut.muliColumnVector(mask.castTo(dLdOut.dataType()).reshape(dLdOut.size(0), 1));
        }
        return activationFn.backprop(preOutput.dup(), dLdOut).getFirst();
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                         INDArray mask, boolean average) {
        return Pair.of(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public String toString() {
        return name() + "()";
    }
}

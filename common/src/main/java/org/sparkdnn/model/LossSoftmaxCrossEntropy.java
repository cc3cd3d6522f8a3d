package org.sparkdnn.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy on logits: ℓ = logsumexp(z) − Σ yᵢ zᵢ (for one-hot y, −log softmax(z)_y); ∂ℓ/∂z =
 * softmax(z)·Σy − y. Computed stably (max subtracted); the softmax is never an output of the network.
 */
public final class LossSoftmaxCrossEntropy extends LogitLoss {
    @Override
    protected INDArray scorePerExample(INDArray logits, INDArray labels) {
        INDArray lse = logSumExp(logits);
        return lse.mul(labels.sum(true, 1)).subi(logits.mul(labels).sum(true, 1));
    }

    @Override
    protected INDArray gradientWrtLogits(INDArray logits, INDArray labels) {
        INDArray softmax = Transforms.exp(logits.subColumnVector(logSumExp(logits)), false);
        return softmax.muliColumnVector(labels.sum(true, 1)).subi(labels);
    }

    private static INDArray logSumExp(INDArray logits) {
        INDArray max = logits.max(true, 1);
        INDArray shifted = Transforms.exp(logits.subColumnVector(max), false);
        return Transforms.log(shifted.sum(true, 1), false).addi(max);
    }

    @Override
    public String name() {
        return "softmaxCrossEntropy";
    }
}

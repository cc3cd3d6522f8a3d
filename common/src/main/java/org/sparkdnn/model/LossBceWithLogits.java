package org.sparkdnn.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Binary cross-entropy on logits, summed over outputs: ℓ = max(z, 0) − z·y + log(1 + e^−|z|) (equal to
 * −y log σ(z) − (1−y) log(1−σ(z)), without overflow); ∂ℓ/∂z = σ(z) − y.
 */
public final class LossBceWithLogits extends LogitLoss {
    @Override
    protected INDArray scorePerExample(INDArray logits, INDArray labels) {
        INDArray softplusOfNegAbs = Transforms.log(Transforms.exp(Transforms.abs(logits, true).negi(), false).addi(1.0), false);
        INDArray perOutput = Transforms.relu(logits, true).subi(logits.mul(labels)).addi(softplusOfNegAbs);
        return perOutput.sum(true, 1);
    }

    @Override
    protected INDArray gradientWrtLogits(INDArray logits, INDArray labels) {
        return Transforms.sigmoid(logits, true).subi(labels);
    }

    @Override
    public String name() {
        return "bceWithLogits";
    }
}

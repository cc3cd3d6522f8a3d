package org.sparkdnn.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * GELU in DL4J's default form, the sigmoid approximation x·σ(1.702·x) (Hendrycks and Gimpel 2016), with a derivative
 * that is finite for every finite x: s·(1 + 1.702·x·(1 − s)), s = σ(1.702·x). DL4J's {@code ActivationGELU}
 * (1.0.0-M2.1) back-propagates through libnd4j's {@code GELUDerivative}, which is NaN in float once x ≥ 26 or so (an
 * exponential overflows; the true derivative there is 1): found by the activations experiment, where a 4-layer GELU
 * MLP on the digits stopped at step 63 with NaN weights. Serialized in the network's JSON by its class name.
 */
public final class StableGelu extends BaseActivationFunction {
    static final double BETA = 1.702;

    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return in.muli(Transforms.sigmoid(in.mul(BETA), false));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray s = Transforms.sigmoid(in.mul(BETA), false);
        INDArray derivative = s.rsub(1.0).muli(in).muli(BETA).addi(1.0).muli(s);
        return new Pair<>(derivative.muli(epsilon), null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StableGelu;
    }

    @Override
    public int hashCode() {
        return StableGelu.class.hashCode();
    }

    @Override
    public String toString() {
        return "gelu";
    }
}

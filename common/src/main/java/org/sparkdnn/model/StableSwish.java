package org.sparkdnn.model;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Swish (SiLU) x·σ(x) with a derivative that is finite for every finite x: σ(x)·(1 + x·(1 − σ(x))). DL4J's
 * {@code ActivationSwish} (1.0.0-M2.1) back-propagates through libnd4j's {@code SwishDerivative},
 * eˣ(x + eˣ + 1) / (eˣ + 1)², which is ∞/∞ = NaN once (eˣ + 1)² overflows: for every x above 44.4 in float and 354.9 in
 * double (the true derivative there is 1). A SwiGLU product feeding a Swish layer reaches such pre-activations within a
 * few steps. Serialized in the network's JSON by its class name, like every {@code IActivation}.
 */
public final class StableSwish extends BaseActivationFunction {
    @Override
    public INDArray getActivation(INDArray in, boolean training) {
        return in.muli(Transforms.sigmoid(in, true));
    }

    @Override
    public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
        assertShape(in, epsilon);
        INDArray sigmoid = Transforms.sigmoid(in, true);
        INDArray derivative = sigmoid.rsub(1.0).muli(in).addi(1.0).muli(sigmoid);
        return new Pair<>(derivative.muli(epsilon), null);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StableSwish;
    }

    @Override
    public int hashCode() {
        return StableSwish.class.hashCode();
    }

    @Override
    public String toString() {
        return "swish";
    }
}

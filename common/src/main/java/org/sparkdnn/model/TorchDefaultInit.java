package org.sparkdnn.model;

import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.impl.UniformDistribution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code weightInit: torch}: PyTorch's default for {@code nn.Linear} and {@code nn.Conv2d} (kaiming_uniform with
 * a = √5), W ~ U(−1/√fanIn, 1/√fanIn): variance 1/(3·fanIn), a sixth of He's. The lecture notes' experiments ran with
 * it ("PyTorch does this by default"). Drawn with DL4J's seeded generator, as its own initialisers.
 */
public final class TorchDefaultInit implements IWeightInit {
    @Override
    public INDArray init(double fanIn, double fanOut, long[] shape, char order, INDArray paramView) {
        double bound = 1 / Math.sqrt(fanIn);
        Nd4j.getExecutioner().exec(new UniformDistribution(paramView, -bound, bound));
        return paramView.reshape(order, shape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TorchDefaultInit;
    }

    @Override
    public int hashCode() {
        return TorchDefaultInit.class.hashCode();
    }
}

package org.sparkdnn.model;

import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.distribution.UniformDistribution;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossL1;
import org.nd4j.linalg.lossfunctions.impl.LossL2;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.config.WeightInit;

/** Maps the config's vocabulary onto DL4J objects. */
public final class Dl4jMapping {
    private Dl4jMapping() {
    }

    public static IActivation activation(Activation activation, double leakyReluAlpha) {
        switch (activation) {
            case RELU: return new ActivationReLU();
            case LEAKY_RELU: return new ActivationLReLU(leakyReluAlpha);
            case ELU: return new ActivationELU();
            case SELU: return new ActivationSELU();
            case SWISH: return new StableSwish(); // not ActivationSwish: NaN gradients for large inputs
            case GELU: return new StableGelu();
            case TANH: return new ActivationTanH();
            case SIGMOID: return new ActivationSigmoid();
            case IDENTITY: return new ActivationIdentity();
            default: throw new IllegalArgumentException("unmapped activation " + activation);
        }
    }

    public static IWeightInit weightInit(WeightInit init, double scale) {
        switch (init) {
            case XAVIER: return org.deeplearning4j.nn.weights.WeightInit.XAVIER.getWeightInitFunction();
            case HE: return org.deeplearning4j.nn.weights.WeightInit.RELU.getWeightInitFunction();
            case LECUN: return org.deeplearning4j.nn.weights.WeightInit.LECUN_NORMAL.getWeightInitFunction();
            case NORMAL: return new WeightInitDistribution(new NormalDistribution(0, scale));
            case UNIFORM: return new WeightInitDistribution(new UniformDistribution(-scale, scale));
            case TORCH: return new TorchDefaultInit();
            default: throw new IllegalArgumentException("unmapped weight init " + init);
        }
    }

    /** The loss on the output layer; the output layer's activation is always the identity. */
    public static ILossFunction loss(Loss loss) {
        switch (loss) {
            case L1: return new LossL1();
            case L2: return new LossL2();
            case MSE: return new LossMSE();
            case BCE_WITH_LOGITS: return new LossBceWithLogits();
            case SOFTMAX_CROSS_ENTROPY: return new LossSoftmaxCrossEntropy();
            default: throw new IllegalArgumentException("unmapped loss " + loss);
        }
    }

    public static DataType dataType(NumericType type) {
        return type == NumericType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
    }
}

package org.sparkdnn.model;

import java.util.List;
import java.util.Random;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.OptimizerType;
import org.sparkdnn.config.WeightInit;
import org.sparkdnn.io.Storage;

/** Small double-precision model configs shared by the model and optimizer tests. */
public final class TestModels {
    public static final long SEED = 42;

    private TestModels() {
    }

    /** A double-precision model with biases, Xavier init and no dropout. */
    public static ModelConfig model(Loss loss, Activation activation, List<LayerConfig> layers) {
        return new ModelConfig(NumericType.DOUBLE, layers, activation, null, WeightInit.XAVIER, null, null, true, loss,
                null, null, null, null, null);
    }

    public static ModelConfig withDropout(ModelConfig m, double dropout) {
        return new ModelConfig(m.dataType(), m.layers(), m.activation(), m.leakyReluAlpha(), m.weightInit(),
                m.initScale(), dropout, m.bias(), m.loss(), m.dl4j(), m.init(), m.freezeLayers(), m.inputShape(),
                m.biasInit());
    }

    public static LayerConfig layer(LayerType type, Integer units) {
        return LayerConfig.of(type, units, null, null, null);
    }

    public static OptimizerConfig sgd(double learningRate) {
        return OptimizerConfig.of(OptimizerType.SGD, learningRate);
    }

    /** {@code rows} Gaussian feature rows (fixed seed) with one-hot labels cycling through the classes. */
    public static DataSet classification(int rows, IoShape shape, long seed) {
        Random rng = new Random(seed);
        double[][] x = new double[rows][shape.inputs()];
        double[][] y = new double[rows][shape.outputs()];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < shape.inputs(); j++) {
                x[i][j] = rng.nextGaussian();
            }
            y[i][i % shape.outputs()] = 1;
        }
        return new DataSet(Nd4j.create(x), Nd4j.create(y));
    }

    /** The elements in row-major order (a parameter view's buffer is the whole network's, and weights are 'f'). */
    public static double[] values(INDArray array) {
        return array.dup('c').data().asDouble();
    }

    public static ComputationGraph build(ModelConfig model, OptimizerConfig optimizer, long seed, IoShape shape) {
        return new ModelFactory(model, optimizer, seed, 100).build(shape, Storage.withDefaults());
    }
}

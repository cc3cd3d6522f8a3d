package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.fraction;
import static org.sparkdnn.config.Checks.listOrEmpty;
import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import java.util.List;
import java.util.Optional;

/**
 * The network. Either {@code layers} (an MLP built by {@code org.sparkdnn.model.ModelFactory}) or {@code dl4j} (a
 * DL4J {@code MultiLayerConfiguration} JSON file, for CNNs and any other DL4J layers). Input and output widths come
 * from the data.
 *
 * @param dataType       {@code float} (default) or {@code double}
 * @param layers         hidden layers in order; empty for a linear model
 * @param activation     default activation of hidden layers (default {@code relu})
 * @param leakyReluAlpha slope of LeakyReLU for negative inputs (default 0.01)
 * @param weightInit     default weight init (default {@code he})
 * @param initScale      σ for {@code normal}, half-width for {@code uniform} (default 0.01)
 * @param dropout        default drop probability of each hidden layer's output (default 0: off); not exact under
 *                       sharding, see the README
 * @param bias           whether layers have biases (default true)
 * @param loss           the training loss (default {@code softmaxCrossEntropy})
 * @param dl4j           path of a DL4J MultiLayerConfiguration JSON; replaces layers/activation/loss
 * @param init           transfer learning: start from the weights of a DL4J model zip or a checkpoint directory
 *                       (its architecture replaces layers/dl4j; a different output width gets a new output layer)
 * @param freezeLayers   with {@code init}: freeze the first n hidden layers (default 0)
 * @param inputShape     {@code [channels, height, width]} of each example's features (row-major, channel first: a
 *                       row of channels·height·width values); needed by image layers unless the data says it (IDX
 *                       images: [1, rows, cols]; cifar: [3, 32, 32])
 * @param biasInit       {@code zero} (default) or {@code normal}: N(0, initScale²) from the training seed
 *                       ({@link BiasInit}); layers built from {@code model.layers} only
 */
public record ModelConfig(NumericType dataType, List<LayerConfig> layers, Activation activation, Double leakyReluAlpha,
                          WeightInit weightInit, Double initScale, Double dropout, Boolean bias, Loss loss,
                          String dl4j, String init, Integer freezeLayers, List<Integer> inputShape,
                          BiasInit biasInit) {
    public ModelConfig {
        dataType = orDefault(dataType, NumericType.FLOAT);
        layers = listOrEmpty(layers);
        activation = orDefault(activation, Activation.RELU);
        leakyReluAlpha = nonNegative("leakyReluAlpha", orDefault(leakyReluAlpha, 0.01));
        weightInit = orDefault(weightInit, WeightInit.HE);
        initScale = positive("initScale", orDefault(initScale, 0.01));
        dropout = fraction("dropout", orDefault(dropout, 0.0));
        bias = orDefault(bias, Boolean.TRUE);
        loss = orDefault(loss, Loss.SOFTMAX_CROSS_ENTROPY);
        if (dl4j != null && dl4j.isBlank()) {
            dl4j = null;
        }
        if (init != null && init.isBlank()) {
            init = null;
        }
        biasInit = orDefault(biasInit, BiasInit.ZERO);
        if (biasInit != BiasInit.ZERO && (dl4j != null || init != null || !bias)) {
            throw new ConfigException("biasInit", "applies to the biases of a network built from model.layers ("
                    + (!bias ? "model.bias is false" : "model." + (dl4j != null ? "dl4j" : "init")
                    + " brings its own network") + ")", biasInit.key());
        }
        freezeLayers = Checks.nonNegative("freezeLayers", orDefault(freezeLayers, 0));
        if (inputShape != null) {
            if (inputShape.size() != 3 || inputShape.stream().anyMatch(v -> v == null || v <= 0)) {
                throw new ConfigException("inputShape", "must be [channels, height, width], each > 0", inputShape);
            }
            inputShape = List.copyOf(inputShape);
        }
        if (freezeLayers > 0 && init == null) {
            throw new ConfigException("freezeLayers", "needs model.init (layers to freeze come from a trained model)",
                    freezeLayers);
        }
    }

    public static ModelConfig defaults() {
        return new ModelConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public Optional<String> initFrom() {
        return Optional.ofNullable(init);
    }

    public Optional<List<Integer>> imageShape() {
        return Optional.ofNullable(inputShape);
    }

    /**
     * Whether any hidden layer works on images (conv2d, pooling, residualConv): the input is then an image. batchNorm
     * works on either (per channel on images, per feature on flat activations).
     */
    public boolean hasSpatialLayers() {
        return layers.stream().anyMatch(l -> l.type().spatial() && l.type() != LayerType.BATCH_NORM);
    }

    public Optional<String> dl4jConfig() {
        return Optional.ofNullable(dl4j);
    }

    public ModelConfig withLayers(List<LayerConfig> newLayers) {
        return new ModelConfig(dataType, newLayers, activation, leakyReluAlpha, weightInit, initScale, dropout, bias,
                loss, dl4j, init, freezeLayers, inputShape, biasInit);
    }
}

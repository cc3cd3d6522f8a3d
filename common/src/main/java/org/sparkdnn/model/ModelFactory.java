package org.sparkdnn.model;

import java.io.IOException;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.learning.config.IUpdater;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.WeightInit;
import org.sparkdnn.io.Storage;
import org.sparkdnn.optimizer.Optimizers;

/**
 * Builds the initialised {@link ComputationGraph} of a model config. Vertices are named {@code layer<i>} (residual
 * blocks add {@code layer<i>_W}, {@code layer<i>_V}) and {@code output}; the output layer's activation is always
 * the identity (losses take logits).
 */
public final class ModelFactory {
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";

    private final ModelConfig model;
    private final OptimizerConfig optimizer;
    private final long seed;
    private final long totalSteps;

    /**
     * @param seed       the root seed (weight init)
     * @param totalSteps the run's total optimizer steps (cosine schedule length)
     */
    public ModelFactory(ModelConfig model, OptimizerConfig optimizer, long seed, long totalSteps) {
        this.model = model;
        this.optimizer = optimizer;
        this.seed = seed;
        this.totalSteps = totalSteps;
    }

    public ComputationGraph build(IoShape shape, Storage storage) {
        Optional<String> dl4j = model.dl4jConfig();
        ComputationGraph graph = dl4j.isPresent() ? fromDl4jJson(dl4j.get(), storage) : new ComputationGraph(mlp(shape));
        if (dl4j.isEmpty()) {
            graph.init();
        }
        return graph;
    }

    private NeuralNetConfiguration.Builder base() {
        IUpdater updater = Optimizers.updater(optimizer, totalSteps);
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(Dl4jMapping.dataType(model.dataType()))
                .updater(updater)
                .weightInit(Dl4jMapping.weightInit(model.weightInit(), model.initScale()));
        if (optimizer.l2() > 0) {
            b.l2(optimizer.l2());
        }
        if (optimizer.weightDecay() > 0) {
            b.weightDecay(optimizer.weightDecay(), true);
        }
        if (optimizer.clipNorm() > 0) {
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(optimizer.clipNorm());
        }
        return b;
    }

    ComputationGraphConfiguration mlp(IoShape shape) {
        ComputationGraphConfiguration.GraphBuilder g = base().graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.feedForward(shape.inputs()));
        String previous = INPUT;
        long width = shape.inputs();
        double dropIn = 0; // drop probability on the input of the next layer
        for (int i = 0; i < model.layers().size(); i++) {
            LayerConfig layer = model.layers().get(i);
            String name = "layer" + i;
            long units = layer.width().orElse((int) width);
            switch (layer.type()) {
                case DENSE:
                    g.addLayer(name, dense(layer, width, units, dropIn).build(), previous);
                    break;
                case RESIDUAL:
                    g.addLayer(name + "_W", dense(layer, width, units, dropIn).build(), previous);
                    g.addLayer(name + "_V", dense(layer, units, width, 0).activation(new ActivationIdentity()).build(), name + "_W");
                    g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), previous, name + "_V");
                    units = width;
                    break;
                case SWIGLU:
                    SwiGluLayer swiglu = new SwiGluLayer(width, units, initOf(layer), model.initScale(), model.bias());
                    if (dropIn > 0) {
                        swiglu.setIDropout(new org.deeplearning4j.nn.conf.dropout.Dropout(1 - dropIn));
                    }
                    g.addLayer(name, swiglu, previous);
                    break;
                default:
                    throw new IllegalArgumentException("unmapped layer type " + layer.type());
            }
            previous = name;
            width = units;
            dropIn = layer.dropout() != null ? layer.dropout() : model.dropout();
        }
        OutputLayer.Builder out = new OutputLayer.Builder(Dl4jMapping.loss(model.loss()))
                .nIn(width).nOut(shape.outputs())
                .activation(new ActivationIdentity())
                .hasBias(model.bias());
        if (dropIn > 0) {
            out.dropOut(1 - dropIn);
        }
        return g.addLayer(OUTPUT, out.build(), previous).setOutputs(OUTPUT).build();
    }

    private DenseLayer.Builder dense(LayerConfig layer, long nIn, long nOut, double dropIn) {
        DenseLayer.Builder b = new DenseLayer.Builder()
                .nIn(nIn).nOut(nOut)
                .activation(Dl4jMapping.activation(layer.activation() != null ? layer.activation() : model.activation(),
                        model.leakyReluAlpha()))
                .weightInit(Dl4jMapping.weightInit(initOf(layer), model.initScale()))
                .hasBias(model.bias());
        if (dropIn > 0) {
            b.dropOut(1 - dropIn);
        }
        return b;
    }

    private WeightInit initOf(LayerConfig layer) {
        return layer.weightInit() != null ? layer.weightInit() : model.weightInit();
    }

    /** A user's DL4J MultiLayerConfiguration, with this run's seed, data type and optimizer applied to every layer. */
    private ComputationGraph fromDl4jJson(String uri, Storage storage) {
        MultiLayerConfiguration conf;
        try {
            conf = MultiLayerConfiguration.fromJson(storage.readString(uri));
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("model.dl4j", "must be a readable DL4J MultiLayerConfiguration JSON file ("
                    + e.getMessage() + ")", uri);
        }
        conf.setDataType(Dl4jMapping.dataType(model.dataType()));
        conf.getConfs().forEach(c -> c.setSeed(seed));
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        FineTuneConfiguration.Builder tune = new FineTuneConfiguration.Builder()
                .seed(seed)
                .updater(Optimizers.updater(optimizer, totalSteps));
        if (optimizer.l2() > 0) {
            tune.l2(optimizer.l2());
        }
        if (optimizer.weightDecay() > 0) {
            tune.weightDecay(optimizer.weightDecay(), true);
        }
        if (optimizer.clipNorm() > 0) {
            tune.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(optimizer.clipNorm());
        }
        return new TransferLearning.GraphBuilder(net.toComputationGraph()).fineTuneConfiguration(tune.build()).build();
    }
}

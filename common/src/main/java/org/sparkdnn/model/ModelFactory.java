package org.sparkdnn.model;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.sparkdnn.config.AugmentConfig;
import org.sparkdnn.config.BiasInit;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.WeightInit;
import org.sparkdnn.io.Storage;
import org.sparkdnn.optimizer.Optimizers;

/**
 * Builds the initialised {@link ComputationGraph} of a model config. Vertices are named {@code layer<i>} (residual
 * and SwiGLU blocks add {@code layer<i>_W}, {@code layer<i>_V}; a SwiGLU block with dropout adds
 * {@code layer<i>_dropout}) and {@code output}; the output layer's activation is always the identity (losses take
 * logits).
 */
public final class ModelFactory {
    public static final String INPUT = "input";
    public static final String OUTPUT = "output";
    /** The vertex of {@code data.augment} (on the input), when it is on. */
    public static final String AUGMENT = "augment";

    private final ModelConfig model;
    private final OptimizerConfig optimizer;
    private final long seed;
    private final long totalSteps;
    private AugmentConfig augment = AugmentConfig.none();

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

    /** The factory with {@code data.augment} on the network's input ({@link Augmentation}). */
    public ModelFactory augmenting(AugmentConfig transforms) {
        this.augment = transforms;
        return this;
    }

    public ComputationGraph build(IoShape shape, Storage storage) {
        if (augment.any() && (model.initFrom().isPresent() || model.dl4jConfig().isPresent())) {
            throw new ConfigException("data.augment", "needs a model built from model.layers (model."
                    + (model.initFrom().isPresent() ? "init" : "dl4j") + " brings its own network)", "on");
        }
        if (model.initFrom().isPresent()) {
            return NativeConv.install(TransferInit.from(model.initFrom().get(), model.freezeLayers(), shape, storage,
                    fineTune(), Dl4jMapping.dataType(model.dataType()), this::regularize));
        }
        Optional<String> dl4j = model.dl4jConfig();
        ComputationGraph graph = dl4j.isPresent() ? fromDl4jJson(dl4j.get(), storage) : new ComputationGraph(mlp(shape));
        if (dl4j.isEmpty()) {
            graph.init();
            if (model.biasInit() != BiasInit.ZERO) {
                randomBiases(graph, model.biasInit(), model.initScale(), seed);
            }
        }
        return NativeConv.install(graph);
    }

    /**
     * {@code model.biasInit} normal or torch: every bias DL4J names {@code b} drawn from N(0, scale²), or from
     * U(±1/√fanIn) with fanIn = the layer's weights per output (its {@code W}'s size / the bias's), layer by layer in
     * parameter order, from {@code seed} (SplittableRandom, Box–Muller: the same values on every JVM).
     */
    static void randomBiases(ComputationGraph graph, BiasInit init, double scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed ^ 0x6269617349L);
        Map<String, INDArray> params = graph.paramTable();
        for (Map.Entry<String, INDArray> p : params.entrySet()) {
            if (!p.getKey().endsWith("_b")) {
                continue;
            }
            INDArray bias = p.getValue();
            INDArray weights = params.get(p.getKey().substring(0, p.getKey().length() - 1) + "W");
            double bound = weights == null ? 0 : 1 / Math.sqrt((double) weights.length() / bias.length());
            double[] values = new double[(int) bias.length()];
            for (int i = 0; i < values.length; i++) {
                values[i] = init == BiasInit.TORCH ? bound * (2 * random.nextDouble() - 1)
                        : scale * Math.sqrt(-2 * Math.log(1 - random.nextDouble()))
                                * Math.cos(2 * Math.PI * random.nextDouble());
            }
            bias.assign(Nd4j.create(values, bias.shape()).castTo(bias.dataType()));
        }
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
        if (optimizer.clipNorm() > 0) {
            b.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(optimizer.clipNorm());
        }
        return b;
    }

    /**
     * Weight decay is set on each layer, not globally: set on the global builder, DL4J 1.0.0-M2.1 gives every layer
     * two copies (its LayerValidation re-appends regularizers other than L1/L2 without checking for duplicates), which
     * doubles the decay.
     */
    private <B extends BaseLayer.Builder<B>> B withWeightDecay(B b) {
        if (optimizer.weightDecay() > 0) {
            b.weightDecay(optimizer.weightDecay(), true);
        }
        return b;
    }

    /**
     * The network of {@code model.layers}. Rows stay flat in the data path: with image layers (or augmentation) the
     * input is {@code InputType.convolutionalFlat} and DL4J reshapes each row to [channels, height, width] (NCHW)
     * before the first image layer, and flattens image activations before a dense layer.
     */
    ComputationGraphConfiguration mlp(IoShape shape) {
        ImageLayers.Size size = inputSize(shape);
        ComputationGraphConfiguration.GraphBuilder g = base().graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(model.hasSpatialLayers()
                        ? InputType.convolutionalFlat(size.height(), size.width(), size.channels())
                        : InputType.feedForward(shape.inputs()));
        String previous = INPUT;
        if (augment.any()) {
            g.addLayer(AUGMENT, new DropoutLayer.Builder().dropOut(
                    Augmentation.of(augment, seed, size.channels(), size.height(), size.width())).build(), INPUT);
            previous = AUGMENT;
        }
        if (!model.hasSpatialLayers()) {
            size = ImageLayers.Size.flat(shape.inputs()); // augmented rows of a dense-only model stay flat
        }
        double dropIn = 0; // drop probability on the input of the next layer
        for (int i = 0; i < model.layers().size(); i++) {
            LayerConfig layer = model.layers().get(i);
            String name = "layer" + i;
            long width = size.values();
            if (layer.type().spatial()) {
                if (dropIn > 0) {
                    previous = dropoutVertex(g, name + "_dropout", dropIn, i, previous);
                }
                size = ImageLayers.add(g, name, i, layer, previous, size, imageContext());
            } else {
                long units = layer.width().orElse((int) width);
                switch (layer.type()) {
                    case DENSE:
                        g.addLayer(name, dense(layer, width, units, dropIn, i).build(), previous);
                        break;
                    case RESIDUAL:
                        if (size.image()) {
                            throw new ConfigException("model.layers[" + i + "].type", "a residual (dense) layer cannot "
                                    + "follow image layers directly: put a dense or globalAvgPool layer before it",
                                    layer.type().key());
                        }
                        g.addLayer(name + "_W", dense(layer, width, units, dropIn, i).build(), previous);
                        g.addLayer(name + "_V", dense(layer, units, width, 0, i).activation(new ActivationIdentity()).build(), name + "_W");
                        g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Add), previous, name + "_V");
                        units = width;
                        break;
                    case SWIGLU:
                        addSwiGlu(g, name, layer, previous, width, units, dropIn, i);
                        break;
                    default:
                        throw new IllegalArgumentException("unmapped layer type " + layer.type());
                }
                size = ImageLayers.Size.flat(units);
            }
            previous = name;
            dropIn = layer.dropout() != null ? layer.dropout() : model.dropout();
        }
        OutputLayer.Builder out = withWeightDecay(new OutputLayer.Builder(Dl4jMapping.loss(model.loss())))
                .nIn(size.values()).nOut(shape.outputs())
                .activation(new ActivationIdentity())
                .hasBias(model.bias());
        if (dropIn > 0) {
            if (size.image()) {
                previous = dropoutVertex(g, OUTPUT + "_dropout", dropIn, model.layers().size(), previous);
            } else {
                out.dropOut(dropout(dropIn, model.layers().size()));
            }
        }
        return g.addLayer(OUTPUT, out.build(), previous).setOutputs(OUTPUT).build();
    }

    /**
     * The input's size: flat rows for a dense-only model, else the image shape — {@code model.inputShape}, or the
     * data's (IDX images, cifar) — checked against the row width.
     */
    private ImageLayers.Size inputSize(IoShape shape) {
        if (!model.hasSpatialLayers() && !augment.any()) {
            return ImageLayers.Size.flat(shape.inputs());
        }
        List<Integer> image = model.imageShape().or(shape::imageShape).orElseThrow(() -> new ConfigException(
                "model.inputShape", "must be set ([channels, height, width]) for image layers or data.augment: the "
                + "data (" + shape.inputs() + " features a row) does not say its image shape", "missing"));
        if ((long) image.get(0) * image.get(1) * image.get(2) != shape.inputs()) {
            throw new ConfigException("model.inputShape", "holds " + (long) image.get(0) * image.get(1) * image.get(2)
                    + " values but the data's rows have " + shape.inputs() + " features", image);
        }
        return new ImageLayers.Size(image.get(0), image.get(1), image.get(2));
    }

    /** A DropoutLayer of {@link CounterDropout}: dropout on image activations (or before a layer with no dropout). */
    private String dropoutVertex(ComputationGraphConfiguration.GraphBuilder g, String name, double p, int index,
                                 String previous) {
        g.addLayer(name, new DropoutLayer.Builder().dropOut(dropout(p, index)).build(), previous);
        return name;
    }

    private ImageLayers.Context imageContext() {
        return new ImageLayers.Context() {
            @Override
            public IActivation activation(LayerConfig layer) {
                return Dl4jMapping.activation(layer.activation() != null ? layer.activation() : model.activation(),
                        model.leakyReluAlpha());
            }

            @Override
            public ConvolutionLayer.Builder withWeights(ConvolutionLayer.Builder b, LayerConfig layer) {
                return withWeightDecay(b).weightInit(Dl4jMapping.weightInit(initOf(layer), model.initScale()))
                        .hasBias(model.bias());
            }
        };
    }

    /**
     * SwiGLU(z) = Swish(W·z + b) ⊙ (V·z + c) from DL4J's own layers: dense {@code <name>_W} (Swish) and
     * {@code <name>_V} (identity) joined by a product vertex {@code <name>}. The gate is {@link StableSwish}: DL4J's
     * ActivationSwish back-propagates NaN for large pre-activations. Not a SameDiff layer: DL4J 1.0.0-M2.1's
     * SameDiffLayer back-propagates twice the true gradient (to its parameters and to every layer below) and ignores
     * dropout. Dropout on the block's input is one {@code <name>_dropout} layer, so both branches see the same mask.
     */
    private void addSwiGlu(ComputationGraphConfiguration.GraphBuilder g, String name, LayerConfig layer,
                           String previous, long width, long units, double dropIn, int index) {
        String in = previous;
        if (dropIn > 0) {
            in = name + "_dropout";
            g.addLayer(in, new DropoutLayer.Builder().dropOut(dropout(dropIn, index)).build(), previous);
        }
        g.addLayer(name + "_W", dense(layer, width, units, 0, index).activation(new StableSwish()).build(), in);
        g.addLayer(name + "_V", dense(layer, width, units, 0, index).activation(new ActivationIdentity()).build(), in);
        g.addVertex(name, new ElementWiseVertex(ElementWiseVertex.Op.Product), name + "_W", name + "_V");
    }

    /**
     * Dropout on the input of layer {@code index} (the output layer: the number of hidden layers): masks keyed by the
     * run's seed, the step, this index and the example's position in its global batch ({@link CounterDropout}).
     */
    private CounterDropout dropout(double probability, int index) {
        return new CounterDropout(probability, seed, index);
    }

    private DenseLayer.Builder dense(LayerConfig layer, long nIn, long nOut, double dropIn, int index) {
        DenseLayer.Builder b = withWeightDecay(new DenseLayer.Builder())
                .nIn(nIn).nOut(nOut)
                .activation(Dl4jMapping.activation(layer.activation() != null ? layer.activation() : model.activation(),
                        model.leakyReluAlpha()))
                .weightInit(Dl4jMapping.weightInit(initOf(layer), model.initScale()))
                .hasBias(model.bias());
        if (dropIn > 0) {
            b.dropOut(dropout(dropIn, index));
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
        // Each layer's configuration carries its own data type too (the file's).
        DataType dataType = Dl4jMapping.dataType(model.dataType());
        conf.setDataType(dataType);
        conf.getConfs().forEach(c -> {
            c.setSeed(seed);
            c.setDataType(dataType);
        });
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        ComputationGraph graph = new TransferLearning.GraphBuilder(net.toComputationGraph())
                .fineTuneConfiguration(fineTune()).build();
        // TransferLearning rebuilds the graph in the default data type (float), whatever the network had.
        if (graph.getConfiguration().getDataType() != dataType) {
            graph = graph.convertDataType(dataType);
        }
        regularize(graph);
        return graph;
    }

    /** This run's seed, updater and clipping for a network that was not built from {@code layers}. */
    private FineTuneConfiguration fineTune() {
        FineTuneConfiguration.Builder tune = new FineTuneConfiguration.Builder()
                .seed(seed)
                .updater(Optimizers.updater(optimizer, totalSteps));
        if (optimizer.clipNorm() > 0) {
            tune.gradientNormalization(GradientNormalization.ClipL2PerLayer)
                    .gradientNormalizationThreshold(optimizer.clipNorm());
        }
        return tune.build();
    }

    /**
     * The run's L2 and weight decay on every layer of a user's network, replacing the file's. Not through
     * FineTuneConfiguration: in DL4J 1.0.0-M2.1 it gives each layer two copies of the weight decay (the validation
     * bug of {@link #withWeightDecay}) and silently drops L2 when weight decay is set. The layers share their
     * configuration with the graph's, and the updater that reads it is created on the first step.
     */
    private void regularize(ComputationGraph graph) {
        if (optimizer.l2() == 0 && optimizer.weightDecay() == 0) {
            return;
        }
        for (Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer) {
                List<Regularization> regularization = new ArrayList<>();
                if (optimizer.l2() > 0) {
                    regularization.add(new L2Regularization(optimizer.l2()));
                }
                if (optimizer.weightDecay() > 0) {
                    regularization.add(new WeightDecay(optimizer.weightDecay(), true));
                }
                ((BaseLayer) layer.conf().getLayer()).setRegularization(regularization);
            }
        }
    }
}

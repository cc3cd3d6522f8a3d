package org.sparkdnn.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.LayerType;
import org.sparkdnn.config.Padding;
import org.sparkdnn.config.Window;

/**
 * The image layers of a model (conv2d, pooling, batchNorm, residualConv) as DL4J's own layers, NCHW — so that the
 * CUDA backend runs them through cuDNN where DL4J does. Tracks the activation size through the layers so that a
 * kernel larger than its input, or a flattened width, is known (and said, naming the layer) before DL4J builds.
 */
final class ImageLayers {
    /** The activations between layers: an image of channels × height × width, or flat ({@code height = 0}). */
    record Size(int channels, int height, int width) {
        static Size flat(long width) {
            return new Size((int) width, 0, 0);
        }

        boolean image() {
            return height > 0;
        }

        /** The width a dense layer sees (images flattened). */
        long values() {
            return image() ? (long) channels * height * width : channels;
        }

        @Override
        public String toString() {
            return image() ? channels + "x" + height + "x" + width : String.valueOf(channels);
        }
    }

    /** What the factory knows that the layers need: activations, weight init, bias, weight decay. */
    interface Context {
        IActivation activation(LayerConfig layer);

        ConvolutionLayer.Builder withWeights(ConvolutionLayer.Builder b, LayerConfig layer);
    }

    private ImageLayers() {
    }

    /**
     * Adds image layer {@code index} as vertex {@code name} (a residual block adds {@code <name>_a}, {@code _b},
     * {@code _proj} and {@code _sum}, and batch norms {@code _a_bn}, {@code _b_bn}, {@code _proj_bn}) and returns its
     * output size.
     */
    static Size add(GraphBuilder g, String name, int index, LayerConfig layer, String previous, Size in,
                    Context context) {
        String path = "model.layers[" + index + "]";
        if (!in.image() && layer.type() != LayerType.BATCH_NORM) {
            throw new ConfigException(path + ".type", "an image layer needs image activations; it follows a dense "
                    + "layer or globalAvgPool (flat, width " + in.channels() + ")", layer.type().key());
        }
        switch (layer.type()) {
            case CONV2D: {
                Size out = window(path, in, layer.kernel(), layer.stride(), layer.padding(), layer.filters());
                g.addLayer(name, conv(layer, in.channels(), layer.filters(), layer.kernel(), layer.stride(),
                        layer.padding(), context.activation(layer), context).build(), previous);
                return out;
            }
            case MAX_POOL:
            case AVG_POOL: {
                Size out = window(path, in, layer.kernel(), layer.stride(), layer.padding(), in.channels());
                g.addLayer(name, new SubsamplingLayer.Builder(layer.type() == LayerType.MAX_POOL ? PoolingType.MAX
                        : PoolingType.AVG)
                        .kernelSize(layer.kernel().height(), layer.kernel().width())
                        .stride(layer.stride().height(), layer.stride().width())
                        .convolutionMode(mode(layer.padding())).build(), previous);
                return out;
            }
            case GLOBAL_AVG_POOL:
                g.addLayer(name, new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
                return Size.flat(in.channels());
            case BATCH_NORM: {
                IActivation activation = layer.activation() == null ? new ActivationIdentity()
                        : context.activation(layer);
                normalize(g, activation instanceof ActivationIdentity ? name : name + "_bn", name, in.channels(),
                        activation, previous);
                return in;
            }
            case RESIDUAL_CONV:
                return residual(g, name, path, layer, previous, in, context);
            default:
                throw new IllegalArgumentException("not an image layer: " + layer.type());
        }
    }

    /**
     * ResNet's basic block: σ(B(conv3×3(σ(B(conv3×3_stride(x))))) + P(x)), B a BatchNorm when {@code batchNorm},
     * P the identity or — when the channels or stride change — a 1×1 convolution with the stride (and its BatchNorm).
     */
    private static Size residual(GraphBuilder g, String name, String path, LayerConfig layer, String previous,
                                 Size in, Context context) {
        int filters = layer.filters() != null ? layer.filters() : in.channels();
        Window three = Window.square(3);
        Size out = window(path, in, three, layer.stride(), Padding.SAME, filters);
        IActivation activation = context.activation(layer);
        boolean norm = layer.batchNorm();
        String a = name + "_a";
        g.addLayer(a, conv(layer, in.channels(), filters, three, layer.stride(), Padding.SAME,
                norm ? new ActivationIdentity() : activation, context).build(), previous);
        if (norm) {
            a = normalize(g, a + "_bn", a + "_act", filters, activation, a);
        }
        String b = name + "_b";
        g.addLayer(b, conv(layer, filters, filters, three, Window.square(1), Padding.SAME, new ActivationIdentity(),
                context).build(), a);
        if (norm) {
            g.addLayer(b + "_bn", batchNorm(filters, new ActivationIdentity()), b);
            b += "_bn";
        }
        String skip = previous;
        if (filters != in.channels() || layer.stride().height() != 1 || layer.stride().width() != 1) {
            skip = name + "_proj";
            g.addLayer(skip, conv(layer, in.channels(), filters, Window.square(1), layer.stride(), Padding.SAME,
                    new ActivationIdentity(), context).build(), previous);
            if (norm) {
                g.addLayer(skip + "_bn", batchNorm(filters, new ActivationIdentity()), skip);
                skip += "_bn";
            }
        }
        g.addVertex(name + "_sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), b, skip);
        g.addLayer(name, new ActivationLayer.Builder().activation(activation).build(), name + "_sum");
        return out;
    }

    private static ConvolutionLayer.Builder conv(LayerConfig layer, int in, int filters, Window kernel, Window stride,
                                                 Padding padding, IActivation activation, Context context) {
        ConvolutionLayer.Builder b = new ConvolutionLayer.Builder(kernel.height(), kernel.width())
                .stride(stride.height(), stride.width())
                .convolutionMode(mode(padding))
                .nIn(in).nOut(filters)
                .activation(activation);
        return context.withWeights(b, layer);
    }

    private static BatchNormalization batchNorm(int channels, IActivation activation) {
        return new BatchNormalization.Builder().nIn(channels).nOut(channels).activation(activation).build();
    }

    /**
     * A BatchNorm named {@code bn} on {@code input}, then {@code activation} as an ActivationLayer named {@code out}
     * unless it is the identity (DL4J's BatchNormalization applies no activation, whatever its configuration says);
     * returns the vertex that ends it.
     */
    private static String normalize(GraphBuilder g, String bn, String out, int channels, IActivation activation,
                                    String input) {
        g.addLayer(bn, batchNorm(channels, new ActivationIdentity()), input);
        if (activation instanceof ActivationIdentity) {
            return bn;
        }
        g.addLayer(out, new ActivationLayer.Builder().activation(activation).build(), bn);
        return out;
    }

    private static ConvolutionMode mode(Padding padding) {
        return padding == Padding.SAME ? ConvolutionMode.Same : ConvolutionMode.Truncate;
    }

    /** The output of a window (kernel or pool) sliding over {@code in}. */
    private static Size window(String path, Size in, Window kernel, Window stride, Padding padding, int channels) {
        if (padding == Padding.SAME) {
            return new Size(channels, ceilDiv(in.height(), stride.height()), ceilDiv(in.width(), stride.width()));
        }
        if (kernel.height() > in.height() || kernel.width() > in.width()) {
            throw new ConfigException(path + ".kernel", "is larger than the layer's input " + in
                    + " (padding valid; use padding: same or a smaller kernel)", kernel);
        }
        return new Size(channels, (in.height() - kernel.height()) / stride.height() + 1,
                (in.width() - kernel.width()) / stride.width() + 1);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}

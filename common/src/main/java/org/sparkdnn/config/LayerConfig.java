package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.fraction;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import java.util.Optional;

/**
 * One hidden layer.
 *
 * @param type       {@code dense} (default), {@code residual} (z + V·σ(W·z + c) + b, width = its input's width),
 *                   {@code swiglu} (Swish(W·z + b) ⊙ (V·z + c)), or an image layer: {@code conv2d}, {@code maxPool},
 *                   {@code avgPool}, {@code globalAvgPool}, {@code batchNorm}, {@code residualConv} (two 3×3
 *                   convolutions + the block's input, through a 1×1 projection when the channels or stride change)
 * @param units      output width; required for dense and swiglu, optional for residual (inner width of W, default the
 *                   input width)
 * @param activation overrides {@code model.activation} (ignored by swiglu, whose gate is Swish; pooling has none;
 *                   batchNorm's default is the identity)
 * @param dropout    probability of dropping each output of this layer (the next layer's input); overrides
 *                   {@code model.dropout}
 * @param weightInit overrides {@code model.weightInit}
 * @param filters    conv2d: output channels (required); residualConv: output channels (default: its input's)
 * @param kernel     conv2d: the kernel (required), maxPool/avgPool: the window (default 2); a number or
 *                   [height, width]
 * @param stride     conv2d (default 1), pooling (default: the window), residualConv (default 1; 2 halves the size)
 * @param padding    conv2d and pooling: {@code valid} (default) or {@code same}
 * @param batchNorm  residualConv: a BatchNorm after each convolution (default false)
 */
public record LayerConfig(LayerType type, Integer units, Activation activation, Double dropout, WeightInit weightInit,
                          Integer filters, Window kernel, Window stride, Padding padding, Boolean batchNorm) {
    public LayerConfig {
        type = orDefault(type, LayerType.DENSE);
        if (units != null) {
            if (type.spatial()) {
                throw new ConfigException("units", "applies to dense layers; a " + type.key()
                        + " layer's size comes from filters/kernel", units);
            }
            positive("units", units);
        } else if (type == LayerType.DENSE || type == LayerType.SWIGLU) {
            throw new ConfigException("units", "must be set for a " + type.key() + " layer", "missing");
        }
        if (dropout != null) {
            fraction("dropout", dropout);
        }
        if (filters != null) {
            only("filters", filters, type, LayerType.CONV2D, LayerType.RESIDUAL_CONV);
            positive("filters", filters);
        } else if (type == LayerType.CONV2D) {
            throw new ConfigException("filters", "must be set for a conv2d layer", "missing");
        }
        if (kernel != null) {
            only("kernel", kernel, type, LayerType.CONV2D, LayerType.MAX_POOL, LayerType.AVG_POOL);
        } else if (type == LayerType.CONV2D) {
            throw new ConfigException("kernel", "must be set for a conv2d layer", "missing");
        } else if (type.pools()) {
            kernel = Window.square(2);
        }
        if (stride != null) {
            only("stride", stride, type, LayerType.CONV2D, LayerType.MAX_POOL, LayerType.AVG_POOL,
                    LayerType.RESIDUAL_CONV);
        } else if (type.pools()) {
            stride = kernel;
        } else if (type == LayerType.CONV2D || type == LayerType.RESIDUAL_CONV) {
            stride = Window.square(1);
        }
        if (padding != null) {
            only("padding", padding, type, LayerType.CONV2D, LayerType.MAX_POOL, LayerType.AVG_POOL);
        } else if (type == LayerType.CONV2D || type.pools()) {
            padding = Padding.VALID;
        }
        if (batchNorm != null) {
            only("batchNorm", batchNorm, type, LayerType.RESIDUAL_CONV);
        } else if (type == LayerType.RESIDUAL_CONV) {
            batchNorm = Boolean.FALSE;
        }
        if (activation != null && (type.pools() || type == LayerType.GLOBAL_AVG_POOL)) {
            throw new ConfigException("activation", "a pooling layer has none", activation.key());
        }
        if (weightInit != null && !(type == LayerType.DENSE || type == LayerType.RESIDUAL || type == LayerType.SWIGLU
                || type == LayerType.CONV2D || type == LayerType.RESIDUAL_CONV)) {
            throw new ConfigException("weightInit", "a " + type.key() + " layer has no weights to initialise",
                    weightInit.key());
        }
    }

    private static void only(String field, Object value, LayerType type, LayerType... allowed) {
        for (LayerType t : allowed) {
            if (t == type) {
                return;
            }
        }
        StringBuilder names = new StringBuilder();
        for (LayerType t : allowed) {
            names.append(names.length() == 0 ? "" : ", ").append(t.key());
        }
        throw new ConfigException(field, "applies to " + names + " layers, not " + type.key(),
                value instanceof Keyed k ? k.key() : value);
    }

    public static LayerConfig dense(int units, Activation activation) {
        return of(LayerType.DENSE, units, activation, null, null);
    }

    /** A dense-family layer (no image fields). */
    public static LayerConfig of(LayerType type, Integer units, Activation activation, Double dropout,
                                 WeightInit weightInit) {
        return new LayerConfig(type, units, activation, dropout, weightInit, null, null, null, null, null);
    }

    public Optional<Integer> width() {
        return Optional.ofNullable(units);
    }
}

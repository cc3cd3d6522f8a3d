package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.fraction;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import java.util.Optional;

/**
 * One hidden layer.
 *
 * @param type       {@code dense} (default), {@code residual} (z + V·σ(W·z + c) + b, width = its input's width) or
 *                   {@code swiglu} (Swish(W·z + b) ⊙ (V·z + c))
 * @param units      output width; required for dense and swiglu, optional for residual (inner width of W, default the
 *                   input width)
 * @param activation overrides {@code model.activation} (ignored by swiglu, whose gate is Swish)
 * @param dropout    probability of dropping each output of this layer (the next layer's input); overrides
 *                   {@code model.dropout}
 * @param weightInit overrides {@code model.weightInit}
 */
public record LayerConfig(LayerType type, Integer units, Activation activation, Double dropout, WeightInit weightInit) {
    public LayerConfig {
        type = orDefault(type, LayerType.DENSE);
        if (units != null) {
            positive("units", units);
        } else if (type != LayerType.RESIDUAL) {
            throw new ConfigException("units", "must be set for a " + type.key() + " layer", "missing");
        }
        if (dropout != null) {
            fraction("dropout", dropout);
        }
    }

    public static LayerConfig dense(int units, Activation activation) {
        return new LayerConfig(LayerType.DENSE, units, activation, null, null);
    }

    public Optional<Integer> width() {
        return Optional.ofNullable(units);
    }
}

package org.sparkdnn.config;

/**
 * How biases start ({@code model.biasInit}): {@code zero} (default, DL4J's); {@code normal}: N(0, initScale²) drawn
 * from the training seed, as lecture 000's 50-layer chain ("w_i, b_i ~ N(0, 0.1²)"); {@code torch}: U(±1/√fanIn) of
 * the layer, PyTorch's default.
 */
public enum BiasInit implements Keyed {
    ZERO, NORMAL, TORCH;

    @Override
    public java.util.List<String> aliases() {
        return this == TORCH ? java.util.List.of("pytorch") : java.util.List.of();
    }
}

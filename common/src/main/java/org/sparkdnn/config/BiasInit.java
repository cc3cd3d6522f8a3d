package org.sparkdnn.config;

/**
 * How biases start ({@code model.biasInit}): {@code zero} (default, DL4J's), or {@code normal}: N(0, initScale²)
 * drawn from the training seed, as lecture 000's 50-layer chain ("w_i, b_i ~ N(0, 0.1²)").
 */
public enum BiasInit implements Keyed {
    ZERO, NORMAL
}

package org.sparkdnn.config;

import java.util.List;

/** Element-wise activation functions (lecture 004's zoo). SwiGLU is a layer type ({@link LayerType#SWIGLU}). */
public enum Activation implements Keyed {
    RELU, LEAKY_RELU, ELU, SELU, SWISH, GELU, TANH, SIGMOID, IDENTITY;

    @Override
    public List<String> aliases() {
        switch (this) {
            case SWISH: return List.of("silu");
            case IDENTITY: return List.of("linear");
            default: return List.of();
        }
    }
}

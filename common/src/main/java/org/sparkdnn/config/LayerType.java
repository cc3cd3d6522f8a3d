package org.sparkdnn.config;

/** Hidden layer kinds: {@code dense}, {@code residual} (z + V·σ(W·z + c) + b) and {@code swiglu}. */
public enum LayerType implements Keyed {
    DENSE, RESIDUAL, SWIGLU
}

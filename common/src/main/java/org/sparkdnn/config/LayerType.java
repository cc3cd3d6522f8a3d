package org.sparkdnn.config;

/**
 * Hidden layer kinds. Dense: {@code dense}, {@code residual} (z + V·σ(W·z + c) + b) and {@code swiglu}. Image
 * (spatial, on [channels, height, width] activations): {@code conv2d}, {@code maxPool}, {@code avgPool},
 * {@code globalAvgPool}, {@code batchNorm} and {@code residualConv} (ResNet's basic block). Dense layers after spatial
 * ones see the activations flattened.
 */
public enum LayerType implements Keyed {
    DENSE, RESIDUAL, SWIGLU, CONV2D, MAX_POOL, AVG_POOL, GLOBAL_AVG_POOL, BATCH_NORM, RESIDUAL_CONV;

    /** Whether the layer works on [channels, height, width] activations. */
    public boolean spatial() {
        return ordinal() >= CONV2D.ordinal();
    }

    /** Max or average pooling. */
    public boolean pools() {
        return this == MAX_POOL || this == AVG_POOL;
    }
}

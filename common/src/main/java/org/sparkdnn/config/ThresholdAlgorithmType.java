package org.sparkdnn.config;

/**
 * How the {@code shared} engine picks the threshold of its threshold-encoded gradient updates (DL4J's
 * {@code ThresholdAlgorithm}): {@code adaptive} (DL4J's default: aims at a sparsity band), {@code fixed}, or
 * {@code targetSparsity}.
 */
public enum ThresholdAlgorithmType implements Keyed {
    ADAPTIVE, FIXED, TARGET_SPARSITY
}

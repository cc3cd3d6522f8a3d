package org.sparkdnn.config;

/**
 * Convolution and pooling padding: {@code valid} (none: the output shrinks by kernel − 1) or {@code same} (zeros
 * around the input so that the output is ⌈input / stride⌉ wide, DL4J's {@code ConvolutionMode.Same}).
 */
public enum Padding implements Keyed {
    VALID, SAME
}

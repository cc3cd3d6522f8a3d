package org.sparkdnn.config;

/** Floating point type of parameters and activations. */
public enum NumericType implements Keyed {
    FLOAT, DOUBLE
}

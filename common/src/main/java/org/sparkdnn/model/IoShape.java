package org.sparkdnn.model;

/** Widths the data dictates: features in, network outputs (classes, 1 for binary/regression). */
public record IoShape(int inputs, int outputs) {
    public IoShape {
        if (inputs <= 0 || outputs <= 0) {
            throw new IllegalArgumentException("inputs and outputs must be > 0, was " + inputs + ", " + outputs);
        }
    }
}

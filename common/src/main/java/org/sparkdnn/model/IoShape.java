package org.sparkdnn.model;

import java.util.List;
import java.util.Optional;

/**
 * Widths the data dictates: features in, network outputs (classes, 1 for binary/regression), and — where the data
 * says it (IDX images, cifar records) — the {@code [channels, height, width]} the features are a row-major image of.
 */
public record IoShape(int inputs, int outputs, List<Integer> image) {
    public IoShape {
        if (inputs <= 0 || outputs <= 0) {
            throw new IllegalArgumentException("inputs and outputs must be > 0, was " + inputs + ", " + outputs);
        }
        if (image != null) {
            image = List.copyOf(image);
            if (image.size() != 3 || (long) image.get(0) * image.get(1) * image.get(2) != inputs) {
                throw new IllegalArgumentException("image shape " + image + " does not hold " + inputs + " features");
            }
        }
    }

    public IoShape(int inputs, int outputs) {
        this(inputs, outputs, null);
    }

    public Optional<List<Integer>> imageShape() {
        return Optional.ofNullable(image);
    }

    public IoShape withImage(List<Integer> shape) {
        return new IoShape(inputs, outputs, shape);
    }
}

package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * Random transforms of each training example ({@code data.augment}), drawn per example and step as a pure function
 * of the run's seed (never a random stream), so that every engine and every worker count draws the same ones. Only
 * training batches are transformed; validation, test, evaluate and predict see the examples as they are. Needs image
 * rows ({@code model.inputShape}, or IDX images / cifar). Applied in this order: rotate, flip, shift/crop, noise.
 *
 * @param randomCrop     pad each side with {@code padding} zero pixels and crop a random window of the input's size
 *                       (a shift by −padding..padding pixels on each axis, zeros filling in)
 * @param horizontalFlip mirror left–right with probability ½ (default false)
 * @param shift          move by −pixels..pixels whole pixels on each axis, zeros filling in
 * @param rotate         rotate about the centre by an angle uniform in ±degrees (bilinear, zeros outside)
 * @param gaussianNoise  add N(0, std²) to every value (after scaling)
 */
public record AugmentConfig(RandomCrop randomCrop, Boolean horizontalFlip, Shift shift, Rotate rotate,
                            GaussianNoise gaussianNoise) {
    public AugmentConfig {
        horizontalFlip = orDefault(horizontalFlip, Boolean.FALSE);
    }

    public static AugmentConfig none() {
        return new AugmentConfig(null, null, null, null, null);
    }

    /** Whether any transform is on. */
    public boolean any() {
        return randomCrop != null || horizontalFlip || shift != null || rotate != null || gaussianNoise != null;
    }

    /** @param padding zero pixels added on each side before the crop (> 0) */
    public record RandomCrop(Integer padding) {
        public RandomCrop {
            if (padding == null) {
                throw new ConfigException("padding", "must be set", "missing");
            }
            positive("padding", padding);
        }
    }

    /** @param pixels the largest move on each axis (> 0) */
    public record Shift(Integer pixels) {
        public Shift {
            if (pixels == null) {
                throw new ConfigException("pixels", "must be set", "missing");
            }
            positive("pixels", pixels);
        }
    }

    /** @param degrees the largest angle either way, in (0, 180] */
    public record Rotate(Double degrees) {
        public Rotate {
            if (degrees == null) {
                throw new ConfigException("degrees", "must be set", "missing");
            }
            if (!(degrees > 0 && degrees <= 180)) {
                throw new ConfigException("degrees", "must be in (0, 180]", degrees);
            }
        }
    }

    /** @param std the noise's standard deviation (> 0) */
    public record GaussianNoise(Double std) {
        public GaussianNoise {
            if (std == null) {
                throw new ConfigException("std", "must be set", "missing");
            }
            positive("std", std);
        }
    }
}

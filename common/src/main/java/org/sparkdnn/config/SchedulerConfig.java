package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * @param type            {@code none} or {@code asha} (default none)
 * @param metric          what ranks trials, from each trial's summary: {@code validation.loss} (default),
 *                        {@code validation.accuracy}, {@code train.loss}, … (a dotted path into summary.json)
 * @param mode            {@code min} or {@code max} (default: max for accuracy metrics, else min)
 * @param minResource     epochs of the first rung (default 1)
 * @param maxResource     epochs of a fully trained trial (default: the base config's training.epochs)
 * @param reductionFactor η: a rung keeps its best 1/η (default 3)
 */
public record SchedulerConfig(SchedulerType type, String metric, String mode, Integer minResource, Integer maxResource,
                              Integer reductionFactor) {
    public SchedulerConfig {
        type = orDefault(type, SchedulerType.NONE);
        metric = orDefault(metric, "validation.loss");
        if (!metric.matches("(train|validation|test)\\.(loss|accuracy|mse)")) {
            throw new ConfigException("metric", "must be train|validation|test . loss|accuracy|mse", metric);
        }
        mode = orDefault(mode, metric.endsWith("accuracy") ? "max" : "min");
        if (!mode.equals("min") && !mode.equals("max")) {
            throw new ConfigException("mode", "must be min or max", mode);
        }
        minResource = positive("minResource", orDefault(minResource, 1));
        if (maxResource != null) {
            positive("maxResource", maxResource);
            if (maxResource < minResource) {
                throw new ConfigException("maxResource", "must be >= minResource (" + minResource + ")", maxResource);
            }
        }
        reductionFactor = orDefault(reductionFactor, 3);
        if (reductionFactor < 2) {
            throw new ConfigException("reductionFactor", "must be >= 2", reductionFactor);
        }
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(null, null, null, null, null, null);
    }

    public boolean maximise() {
        return mode.equals("max");
    }
}

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
 * @param scope           which epoch of a trial its metric is read from: {@code best} (the epoch early stopping
 *                        keeps, whose parameters the trial delivers) or {@code last}; null: {@code best} when the base
 *                        config has {@code training.patience}, else {@code last} (resolved by the sweep)
 */
public record SchedulerConfig(SchedulerType type, String metric, String mode, Integer minResource, Integer maxResource,
                              Integer reductionFactor, MetricScope scope) {
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
        return new SchedulerConfig(null, null, null, null, null, null, null);
    }

    /** The scope, {@code best} by default when the base config stops early ({@code patience > 0}). */
    public MetricScope scope(int patience) {
        return scope != null ? scope : patience > 0 ? MetricScope.BEST : MetricScope.LAST;
    }

    public boolean maximise() {
        return mode.equals("max");
    }
}

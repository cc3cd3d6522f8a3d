package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;

/**
 * @param rule         {@code none}, {@code linear} or {@code sqrt} (default none)
 * @param warmupSteps  linear learning-rate warmup over this many steps for trials whose batch is larger than the
 *                     base's and whose schedule has none (default 0: none; Goyal et al. warm up over 5 epochs)
 */
public record ScalingConfig(ScalingRule rule, Integer warmupSteps) {
    public ScalingConfig {
        rule = orDefault(rule, ScalingRule.NONE);
        warmupSteps = nonNegative("warmupSteps", orDefault(warmupSteps, 0));
    }

    public static ScalingConfig defaults() {
        return new ScalingConfig(null, null);
    }
}

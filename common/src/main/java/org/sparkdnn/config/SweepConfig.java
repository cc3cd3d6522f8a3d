package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A hyperparameter sweep: the root of a sweep YAML file.
 *
 * @param base           the run config every trial starts from: a path (relative to the sweep file) or an inline
 *                       mapping
 * @param baseOverrides  run-config keys (dotted) set on the base for every trial, as {@code --set base.key=value}
 *                       would (a sweep over {@code conf/mnist-mlp.yaml} adds its validation split and early stopping
 *                       here); {@code --set base.…} on the command line is applied after them
 * @param space          run-config keys (dotted, e.g. {@code optimizer.learningRate}, {@code model.layers.0.units})
 *                       → their distributions, in file order
 * @param search         how trials are drawn
 * @param scheduler      early stopping of trials (ASHA) and the metric that ranks them
 * @param parallelTrials trials trained at once in this JVM (default 1); results do not depend on it
 * @param scaling        learning rate vs batch size
 * @param output         {@code dir}: where the sweep writes (default {@code runs/sweep})
 * @param target         optional: a value of the scheduler's metric; the report shows each trial's training time
 *                       until its epoch metric first reached it (e.g. 0.97 validation accuracy)
 */
public record SweepConfig(JsonNode base, Map<String, JsonNode> baseOverrides, Map<String, Distribution> space,
                          SearchConfig search, SchedulerConfig scheduler, Integer parallelTrials,
                          ScalingConfig scaling, OutputConfig output, Double target) {
    public SweepConfig {
        if (base == null || !(base.isTextual() || base.isObject())) {
            throw new ConfigException("base", "must be a run config path or an inline run config",
                    base == null ? "missing" : base.getNodeType());
        }
        if (space == null || space.isEmpty()) {
            throw new ConfigException("space", "must name at least one run-config key", "empty");
        }
        space = new LinkedHashMap<>(space);
        baseOverrides = baseOverrides == null ? Map.of() : new LinkedHashMap<>(baseOverrides);
        search = orDefault(search, SearchConfig::defaults);
        scheduler = orDefault(scheduler, SchedulerConfig::defaults);
        parallelTrials = positive("parallelTrials", orDefault(parallelTrials, 1));
        scaling = orDefault(scaling, ScalingConfig::defaults);
        output = orDefault(output, () -> new OutputConfig("runs/sweep"));
        if (target != null && !Double.isFinite(target)) {
            throw new ConfigException("target", "must be a finite number", target);
        }
        if (search.type() == SearchType.GRID) {
            space.forEach((key, d) -> {
                if (!d.isDiscrete()) {
                    throw new ConfigException("space." + key, "grid search needs grid or choice values",
                            d.describe());
                }
            });
        }
    }
}

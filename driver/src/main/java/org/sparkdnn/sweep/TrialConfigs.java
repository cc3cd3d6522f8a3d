package org.sparkdnn.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.ScalingConfig;
import org.sparkdnn.config.ScalingRule;
import org.sparkdnn.config.ScheduleConfig;
import org.sparkdnn.config.ScheduleType;

/**
 * A trial's run config: the base with the trial's values, the learning rate scaled to its global batch size, the
 * epochs of its rung (a cosine schedule's length pinned to {@code maxResource} epochs, so a rung's run is the start of
 * the trial's full run) and its own output and checkpoint directories. Invalid combinations fail here with the usual
 * {@code ConfigException}, which the runner records as the trial's error.
 */
final class TrialConfigs {
    private final SweepSpec spec;
    private final ConfigLoader loader;
    private final String outputDir;

    TrialConfigs(SweepSpec spec, ConfigLoader loader, String outputDir) {
        this.spec = spec;
        this.loader = loader;
        this.outputDir = outputDir;
    }

    String trialDir(Trial trial) {
        return outputDir + "/trials/" + trial.id();
    }

    RunConfig config(Trial trial, int epochs) {
        return config(trial, epochs, trialDir(trial));
    }

    /** The trial's config trained to {@code epochs} into {@code dir}. */
    RunConfig config(Trial trial, int epochs, String dir) {
        String source = spec.source() + ": trial " + trial.id() + " " + trial.params();
        List<String> sets = new ArrayList<>();
        for (Map.Entry<String, JsonNode> p : trial.params().entrySet()) {
            sets.add(p.getKey() + "=" + json(p.getValue()));
        }
        sets.add("training.epochs=" + epochs);
        sets.add("output.dir=" + dir);
        sets.add("checkpoint.dir=" + dir + "/checkpoints");
        RunConfig unscaled = loader.bind(source, loader.withOverrides(source, spec.baseTree(), sets));
        ScheduleConfig schedule = unscaled.optimizer().schedule();
        if (schedule.type() == ScheduleType.COSINE && schedule.totalSteps() == 0 && schedule.totalEpochs() == 0) {
            // every rung (and best.yaml) follows the full trial's cosine, so a promoted trial continues its schedule
            sets.add("optimizer.schedule.totalEpochs=" + spec.maxResource());
        }
        sets.addAll(scaling(unscaled));
        return loader.bind(source, loader.withOverrides(source, spec.baseTree(), sets));
    }

    /** Overrides that scale the learning rate from the base's batch size to the trial's. */
    private List<String> scaling(RunConfig trial) {
        ScalingConfig scaling = spec.config().scaling();
        if (scaling.rule() != ScalingRule.NONE
                && (trial.training().fullBatch() || spec.base().training().fullBatch())) {
            throw new ConfigException("training.batchSize", "all is resolved only when a run reads its data: the "
                    + "learning rate cannot be scaled to it (scaling.rule " + scaling.rule().key() + ")", "all");
        }
        double ratio = trial.training().batchSize() / (double) spec.base().training().batchSize();
        if (scaling.rule() == ScalingRule.NONE || ratio == 1.0) {
            return List.of();
        }
        double factor = scaling.rule() == ScalingRule.LINEAR ? ratio : Math.sqrt(ratio);
        List<String> sets = new ArrayList<>();
        sets.add("optimizer.learningRate=" + trial.optimizer().learningRate() * factor);
        if (scaling.warmupSteps() > 0 && ratio > 1 && trial.optimizer().schedule().warmupSteps() == 0) {
            sets.add("optimizer.schedule.warmupSteps=" + scaling.warmupSteps());
        }
        return sets;
    }

    private String json(JsonNode value) {
        try {
            return loader.json().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

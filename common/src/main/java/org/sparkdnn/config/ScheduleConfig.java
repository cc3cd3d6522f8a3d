package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * Learning-rate schedule over optimizer steps t = 0, 1, ….
 *
 * @param type        {@code constant} (default); {@code step}: η·γ^floor(t/stepSize); {@code exponential}: η·γ^t;
 *                    {@code inverseSqrt}: η/√(1 + t); {@code cosine}: from η down to {@code minLearningRate} over
 *                    {@code totalSteps} (default: the run's total steps)
 * @param warmupSteps linear warmup from η/warmupSteps to the schedule over the first steps (default 0: off)
 * @param stepSize    steps between decays for {@code step} (default 1000)
 * @param gamma       decay factor for {@code step} (default 0.1) and {@code exponential} (default 0.999)
 * @param totalSteps  length of the cosine cycle (default 0: {@code totalEpochs}, else the run's total number of steps)
 * @param minLearningRate floor of the cosine schedule (default 0)
 * @param totalEpochs length of the cosine cycle in epochs, {@code totalEpochs × batches per epoch} steps (default 0:
 *                    unset); a sweep pins it to {@code maxResource} so that a trial's shorter rungs follow the same
 *                    schedule as its full run
 */
public record ScheduleConfig(ScheduleType type, Integer warmupSteps, Integer stepSize, Double gamma, Long totalSteps,
                             Double minLearningRate, Integer totalEpochs) {
    public ScheduleConfig {
        type = orDefault(type, ScheduleType.CONSTANT);
        warmupSteps = Checks.nonNegative("warmupSteps", orDefault(warmupSteps, 0));
        stepSize = positive("stepSize", orDefault(stepSize, 1000));
        gamma = orDefault(gamma, type == ScheduleType.EXPONENTIAL ? 0.999 : 0.1);
        if (!(gamma > 0 && gamma <= 1)) {
            throw new ConfigException("gamma", "must be in (0, 1]", gamma);
        }
        totalSteps = Checks.nonNegative("totalSteps", orDefault(totalSteps, 0L));
        minLearningRate = nonNegative("minLearningRate", orDefault(minLearningRate, 0.0));
        totalEpochs = nonNegative("totalEpochs", orDefault(totalEpochs, 0));
        if (totalSteps > 0 && totalEpochs > 0) {
            throw new ConfigException("totalEpochs", "set totalSteps or totalEpochs, not both (totalSteps is "
                    + totalSteps + ")", totalEpochs);
        }
    }

    /** The cosine cycle's length in steps, given the run's batches per epoch and its planned steps. */
    public long cycleSteps(long batchesPerEpoch, long plannedSteps) {
        return totalSteps > 0 ? totalSteps : totalEpochs > 0 ? totalEpochs * batchesPerEpoch : plannedSteps;
    }

    public static ScheduleConfig constant() {
        return new ScheduleConfig(null, null, null, null, null, null, null);
    }
}

package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * Settings of the {@code averaging} engine: DL4J's {@code ParameterAveragingTrainingMaster}.
 *
 * @param frequency      minibatches each worker fits between two averagings of parameters (default 5)
 * @param averageUpdater average the optimizer state too (default true; else workers restart it every averaging)
 */
public record AveragingConfig(Integer frequency, Boolean averageUpdater) {
    public AveragingConfig {
        frequency = positive("frequency", orDefault(frequency, 5));
        averageUpdater = orDefault(averageUpdater, Boolean.TRUE);
    }

    public static AveragingConfig defaults() {
        return new AveragingConfig(null, null);
    }
}

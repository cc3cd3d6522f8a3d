package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;

import java.util.Optional;

/**
 * Checkpoints (used by the checkpoint store; see the README for what is implemented).
 *
 * @param dir         checkpoint directory URI (default: {@code <output.dir>/checkpoints})
 * @param everySteps  write every N optimizer steps (default 0: off)
 * @param everyEpochs write every N epochs (default 1)
 * @param keepLast    keep the newest K (default 3)
 * @param keepBest    keep the best B by validation loss (default 1)
 * @param signingKey  where the key that signs and verifies checkpoints is: {@code env:NAME} or {@code file:PATH}
 *                    (default: none; the key itself never goes in the config)
 */
public record CheckpointConfig(String dir, Long everySteps, Integer everyEpochs, Integer keepLast, Integer keepBest,
                               String signingKey) {
    public CheckpointConfig {
        if (dir != null && dir.isBlank()) {
            dir = null;
        }
        everySteps = nonNegative("everySteps", orDefault(everySteps, 0L));
        everyEpochs = nonNegative("everyEpochs", orDefault(everyEpochs, 1));
        keepLast = nonNegative("keepLast", orDefault(keepLast, 3));
        keepBest = nonNegative("keepBest", orDefault(keepBest, 1));
        if (signingKey != null && !signingKey.matches("env:[A-Za-z_][A-Za-z0-9_]*|file:.+")) {
            throw new ConfigException("signingKey", "must name where the key is, env:VARIABLE or file:PATH (the key "
                    + "itself never goes in the config)", "a value of " + signingKey.length() + " characters, not shown");
        }
    }

    public static CheckpointConfig defaults() {
        return new CheckpointConfig(null, null, null, null, null, null);
    }

    public Optional<String> directory() {
        return Optional.ofNullable(dir);
    }
}

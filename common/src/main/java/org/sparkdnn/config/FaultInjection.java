package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;

/**
 * Testing aid. {@code sync}: worker {@code worker} throws when it receives step {@code step}, in the barrier stage's
 * first attempt only, so Spark retries the stage. {@code shared}/{@code averaging}: worker {@code worker}'s task
 * stalls {@code stallSeconds} before handing over its data (a stuck epoch). Off by default (-1, 0).
 */
public record FaultInjection(Integer worker, Long step, Integer stallSeconds) {
    public FaultInjection {
        worker = orDefault(worker, -1);
        step = orDefault(step, -1L);
        stallSeconds = Checks.nonNegative("stallSeconds", orDefault(stallSeconds, 0));
        if (worker < -1) {
            throw new ConfigException("worker", "must be >= 0 (or -1: off)", worker);
        }
        if (step < -1) {
            throw new ConfigException("step", "must be >= 0 (or -1: off)", step);
        }
    }

    public static FaultInjection off() {
        return new FaultInjection(null, null, null);
    }
}

package org.sparkdnn.console;

import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Time left in the run: the steps still to go at the wall-clock rate of the steps done since this process started
 * (so epoch starts, validation and checkpoint pauses count; a resumed run is not credited with its earlier steps).
 */
final class Eta {
    private final LongSupplier nanoClock;
    private final long startNanos;
    private final long firstStep;
    private final long totalSteps;

    Eta(LongSupplier nanoClock, long firstStep, long totalSteps) {
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
        this.firstStep = firstStep;
        this.totalSteps = totalSteps;
    }

    Optional<Duration> remaining(long step) {
        long done = step - firstStep;
        if (done <= 0) {
            return Optional.empty();
        }
        double nanosPerStep = (nanoClock.getAsLong() - startNanos) / (double) done;
        return Optional.of(Duration.ofNanos((long) (nanosPerStep * Math.max(0, totalSteps - step))));
    }

    /** "eta 1:05" / "eta 1:02:03"; "" before the first step. */
    String describe(long step) {
        return remaining(step).map(d -> "eta " + format(d)).orElse("");
    }

    static String format(Duration d) {
        long s = d.toSeconds();
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}

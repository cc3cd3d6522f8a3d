package org.sparkdnn.sweep;

import java.util.Optional;

/**
 * What one job (a trial trained to a rung's epochs) gave: the metric or the error, and the run's facts.
 *
 * @param metric the scheduler's metric, read at the epoch its scope names; null when the job failed
 * @param metricEpoch the epoch (1-based) the metric was read at: under scope best the epoch early stopping kept, under
 *                    last the last one trained; null when the job failed
 * @param steps optimizer steps the trial's run counted at the end (cumulative over its rungs)
 * @param trainedSteps optimizer steps this job trained (after resuming from the trial's last checkpoint)
 */
public record JobRecord(String trial, int rung, int epochs, Double metric, Integer metricEpoch, boolean failed,
                        String error, double wallSeconds, long steps, long trainedSteps, String paramsSha256) {
    public Asha.Job job() {
        return new Asha.Job(trial, rung);
    }

    public Asha.Outcome outcome() {
        return failed || metric == null ? Asha.Outcome.failure() : new Asha.Outcome(metric, false);
    }

    public Optional<String> errorText() {
        return Optional.ofNullable(error);
    }
}

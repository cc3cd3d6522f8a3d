/**
 * Hyperparameter sweeps: a sweep file (base run config + search space + search + scheduler) becomes a list of trials
 * ({@link Search}), each a normal training run in {@code trials/<id>/}; {@link Asha} decides from the trials' results
 * alone which trials continue (successive halving, promotions decided in trial order so that they do not depend on
 * timing) from each trial's metric at the epoch the scheduler's scope names (by default the best epoch, which early
 stopping delivers), {@link SweepRunner} trains up to {@code parallelTrials} trials at once and records every result in
 * {@code sweep.json} so that a killed sweep resumes, and {@link Leaderboard} and {@link SweepReport} write the results.
 */
package org.sparkdnn.sweep;

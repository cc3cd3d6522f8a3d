package org.sparkdnn.config;

/**
 * Which of a trial's epochs its sweep metric is read from (Ray Tune's {@code scope}): {@code best}, the epoch the
 * trial delivers under early stopping (the last epoch that improved the validation loss by more than
 * {@code training.minDelta}, whose parameters the run restores); {@code last}, the last epoch it trained.
 */
public enum MetricScope implements Keyed {
    BEST, LAST
}

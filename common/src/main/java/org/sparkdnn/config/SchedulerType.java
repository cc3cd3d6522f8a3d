package org.sparkdnn.config;

/**
 * Early stopping of trials: none (every trial trains maxResource epochs), ASHA's successive halving, or Hyperband's
 * brackets (each bracket a successive halving that starts at a larger resource).
 */
public enum SchedulerType implements Keyed {
    NONE, ASHA, HYPERBAND
}

package org.sparkdnn.config;

/** Early stopping of trials: none (every trial trains maxResource epochs) or ASHA's successive halving. */
public enum SchedulerType implements Keyed {
    NONE, ASHA
}

package org.sparkdnn.config;

/** Feature scaling; {@code standardize} takes its mean and deviation from the training split only. */
public enum Scaling implements Keyed {
    NONE, DIVIDE255, STANDARDIZE
}

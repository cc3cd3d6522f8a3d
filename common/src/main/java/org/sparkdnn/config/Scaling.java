package org.sparkdnn.config;

/**
 * Feature scaling, with statistics of the training split only: {@code divide255}; {@code standardize} (each feature
 * by its own mean and deviation); {@code perChannel} (images: every pixel of a channel by that channel's mean and
 * deviation over all its pixels, as image models usually are; needs image rows).
 */
public enum Scaling implements Keyed {
    NONE, DIVIDE255, STANDARDIZE, PER_CHANNEL
}

package org.sparkdnn.config;

/**
 * How the {@code sync} engine sums the workers' gradients: {@code driver} (the driver-hosted parameter server sends
 * the parameters to every worker, gathers k gradients and applies the update: 2·k·S bytes through the driver per
 * step) or {@code peer} (the workers reduce-scatter their gradients among themselves, summing in worker order,
 * all-gather the sum and each applies DL4J's updater to its replica: 2·S·(k−1)/k bytes per worker, none through the
 * driver, which only sends the step's batch index and collects the losses).
 */
public enum Exchange implements Keyed {
    DRIVER, PEER
}

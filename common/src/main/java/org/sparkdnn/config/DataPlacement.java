package org.sparkdnn.config;

/**
 * How the distributed engines get the training rows to the executors: {@code broadcast} (a copy per executor,
 * only row indices move per epoch) or {@code shuffle} (each executor caches 1/k; a shuffle per epoch).
 */
public enum DataPlacement implements Keyed {
    BROADCAST, SHUFFLE
}

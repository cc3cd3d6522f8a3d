package org.sparkdnn.config;

/**
 * Training engines: {@code local} (one JVM, plain DL4J {@code fit}), {@code sync} (barrier stage + driver-hosted
 * parameter server) and {@code reference} (one Spark job per step; the oracle).
 */
public enum Engine implements Keyed {
    LOCAL, SYNC, REFERENCE
}

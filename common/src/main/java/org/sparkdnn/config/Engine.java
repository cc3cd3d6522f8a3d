package org.sparkdnn.config;

/**
 * Training engines: {@code local} (one JVM, plain DL4J {@code fit}), {@code sync} (barrier stage + driver-hosted
 * parameter server) and {@code reference} (one Spark job per step; the oracle) are exact; {@code shared} (DL4J's
 * {@code SharedTrainingMaster}) and {@code averaging} (DL4J's {@code ParameterAveragingTrainingMaster}) are DL4J's
 * own approximate Spark trainers, which train whole epochs.
 */
public enum Engine implements Keyed {
    LOCAL, SYNC, REFERENCE, SHARED, AVERAGING;

    /** DL4J's own Spark trainers: epoch-granular and not exact. */
    public boolean dl4j() {
        return this == SHARED || this == AVERAGING;
    }
}

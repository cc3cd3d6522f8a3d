package org.sparkdnn.config;

/**
 * Who reads the training data: {@code driver} (default: the driver reads it all and ships it) or {@code executors}
 * (Spark's executors read their splits and keep the rows; the driver holds only counts, statistics and a row-id
 * split; CSV files and the sync engine for now).
 */
public enum DataRead implements Keyed {
    DRIVER, EXECUTORS
}

package org.sparkdnn.config;

/**
 * Input file formats: CSV, IDX (MNIST's format, plain or .gz), LibSVM/svmlight, and Parquet (read by the executors
 * only: {@code data.read: executors}).
 */
public enum DataFormat implements Keyed {
    CSV, IDX, LIBSVM, PARQUET
}

package org.sparkdnn.config;

/** Input file formats: CSV, IDX (MNIST's format, plain or .gz) and LibSVM/svmlight. */
public enum DataFormat implements Keyed {
    CSV, IDX, LIBSVM
}

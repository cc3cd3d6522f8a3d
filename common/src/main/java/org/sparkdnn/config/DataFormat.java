package org.sparkdnn.config;

/**
 * Input file formats: CSV, IDX (MNIST's format, plain or .gz), LibSVM/svmlight, Parquet (read by the executors
 * only: {@code data.read: executors}), the CIFAR-10 and CIFAR-100 binary records ({@code cifar}, {@code cifar100}),
 * {@code images}: a folder per class of PNG/JPEG files, and {@code synthetic}: rows made by a named, seeded generator
 * ({@link SyntheticConfig}).
 */
public enum DataFormat implements Keyed {
    CSV, IDX, LIBSVM, PARQUET, CIFAR, CIFAR100, IMAGES, SYNTHETIC
}

package org.sparkdnn.rows;

import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.BadRecords;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.DataConfig;
import org.sparkdnn.config.DataFormat;
import org.sparkdnn.data.CifarReader;
import org.sparkdnn.data.CsvReader;
import org.sparkdnn.data.ImageFolderReader;

/**
 * Reads training rows of one format on the executors, never on the driver, into {@link DistributedRows}: cached
 * blocks whose keys are stable global row ids, so a batch plan stays a pure function of (seed, epoch). One
 * implementation per format: {@link CsvRowsReader}, {@link LibSvmRowsReader}, {@link ParquetRowsReader},
 * {@link DataFrameRowsReader}, {@link CifarRowsReader}, {@link ImageRowsReader}. Bad rows fail with a {@code DataException} naming the file and line or row.
 */
public interface RowsReader {
    /** The rows of {@code source}: a file or directory URI (a DataFrame reader: the name its errors use). */
    DistributedRows read(String source);

    /**
     * The reader of {@code data.format} with its settings ({@code data.delimiter}, {@code data.featuresField}, …);
     * {@code inputShape} is {@code model.inputShape} (what {@code images} fits each image to).
     */
    public static RowsReader of(JavaSparkContext sc, DataConfig data, Optional<List<Integer>> inputShape) {
        int parallelism = sc.defaultParallelism();
        switch (data.format()) {
            case CIFAR:
            case CIFAR100:
                return new CifarRowsReader(sc, new CifarReader(data.format() == DataFormat.CIFAR ? 1 : 2), parallelism);
            case IMAGES: {
                List<Integer> shape = inputShape.orElseThrow(() -> new ConfigException("model.inputShape", "must be "
                        + "set for data.format images: the [channels, height, width] every image is scaled and "
                        + "cropped to", "missing"));
                return new ImageRowsReader(sc, new ImageFolderReader(shape, data.onBadRecord() == BadRecords.SKIP),
                        shape.get(0) * shape.get(1) * shape.get(2), parallelism);
            }
            case PARQUET:
                return new ParquetRowsReader(sc, data.featuresField(), data.labelField());
            case LIBSVM:
                return new LibSvmRowsReader(sc, data.numFeatures(), parallelism);
            default:
                return new CsvRowsReader(sc, new CsvReader(data.delimiter(), data.header(), data.labelColumn()),
                        parallelism);
        }
    }

    /** The [channels, height, width] the rows of {@code data} are images of, where the format says it. */
    public static Optional<List<Integer>> imageShape(DataConfig data, Optional<List<Integer>> inputShape) {
        switch (data.format()) {
            case CIFAR:
            case CIFAR100:
                return Optional.of(CifarReader.SHAPE);
            case IMAGES:
                return inputShape;
            default:
                return Optional.empty();
        }
    }
}

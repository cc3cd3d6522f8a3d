package org.sparkdnn.rows;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.DataConfig;
import org.sparkdnn.data.CsvReader;

/**
 * Reads training rows of one format on the executors, never on the driver, into {@link DistributedRows}: cached
 * blocks whose keys are stable global row ids, so a batch plan stays a pure function of (seed, epoch). One
 * implementation per format: {@link CsvRowsReader}, {@link LibSvmRowsReader}, {@link ParquetRowsReader},
 * {@link DataFrameRowsReader}. Bad rows fail with a {@code DataException} naming the file and line or row.
 */
public interface RowsReader {
    /** The rows of {@code source}: a file or directory URI (a DataFrame reader: the name its errors use). */
    DistributedRows read(String source);

    /** The reader of {@code data.format} with its settings ({@code data.delimiter}, {@code data.featuresField}, …). */
    static RowsReader of(JavaSparkContext sc, DataConfig data) {
        int parallelism = sc.defaultParallelism();
        switch (data.format()) {
            case PARQUET:
                return new ParquetRowsReader(sc, data.featuresField(), data.labelField());
            case LIBSVM:
                return new LibSvmRowsReader(sc, data.numFeatures(), parallelism);
            default:
                return new CsvRowsReader(sc, new CsvReader(data.delimiter(), data.header(), data.labelColumn()),
                        parallelism);
        }
    }
}

package org.sparkdnn.rows;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.data.LineFormat;

/** CSV (or any {@link LineFormat}) read on the executors: a file or a directory of files ({@link TextRows}). */
public final class CsvRowsReader implements RowsReader {
    private final JavaSparkContext sc;
    private final LineFormat format;
    private final int minPartitions;

    public CsvRowsReader(JavaSparkContext sc, LineFormat format, int minPartitions) {
        this.sc = sc;
        this.format = format;
        this.minPartitions = minPartitions;
    }

    @Override
    public DistributedRows read(String uri) {
        try {
            return TextRows.read(sc, uri, format, minPartitions);
        } catch (Exception e) { // Spark's job failures are checked SparkExceptions, thrown unchecked from Scala
            throw DataErrors.unwrap(e);
        }
    }
}

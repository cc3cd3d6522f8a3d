package org.sparkdnn.rows;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.LibSvmReader;

/**
 * LibSVM read on the executors as dense rows of {@code numFeatures} columns; without it, a first pass over the text
 * finds the largest feature index (as the driver's reader does).
 */
public final class LibSvmRowsReader implements RowsReader {
    private final JavaSparkContext sc;
    private final Integer numFeatures;
    private final int minPartitions;

    /** @param numFeatures {@code data.numFeatures}, or null to find it */
    public LibSvmRowsReader(JavaSparkContext sc, Integer numFeatures, int minPartitions) {
        this.sc = sc;
        this.numFeatures = numFeatures;
        this.minPartitions = minPartitions;
    }

    @Override
    public DistributedRows read(String uri) {
        try {
            int d = numFeatures != null ? numFeatures : TextRows.files(sc, uri).stream()
                    .mapToInt(f -> sc.textFile(f, minPartitions).map(LibSvmReader::maxIndex).fold(0, Math::max))
                    .max().orElse(0);
            if (d == 0) {
                throw new DataException(uri, "", "no features found; set data.numFeatures");
            }
            return TextRows.read(sc, uri, LibSvmReader.lines(d), minPartitions);
        } catch (Exception e) {
            throw DataErrors.unwrap(e);
        }
    }
}

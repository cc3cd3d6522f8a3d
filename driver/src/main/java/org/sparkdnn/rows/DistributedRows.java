package org.sparkdnn.rows;

import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;

/**
 * Training rows read by the executors ({@link RowsReader}), never by the driver: cached {@link RowBlock}s (one per
 * input partition) whose keys are stable global row ids 0..n−1 in the source's order. {@code data.read: executors}
 * trains on them ({@code ExecutorData}); statistics come from aggregations on the executors ({@link #stats()}).
 */
public final class DistributedRows implements AutoCloseable {
    private final JavaRDD<RowBlock> blocks;
    private final long count;
    private final int features;

    DistributedRows(JavaRDD<RowBlock> blocks, long count, int features) {
        this.blocks = blocks;
        this.count = count;
        this.features = features;
    }

    /**
     * All rows on the driver, in id order ({@code data.read: driver} for files only Spark reads, e.g. Parquet): the
     * blocks stream in one partition at a time, each row placed at its id, so the driver holds the rows once.
     */
    public Examples examples(String source) {
        long values = count * (long) features;
        if (values > Integer.MAX_VALUE - 8) {
            throw new DataException(source, "", count + " rows x " + features + " features do not fit in one driver "
                    + "array: read them on the executors (data.read: executors)");
        }
        float[] x = new float[(int) values];
        float[] y = new float[(int) count];
        int[] origins = new int[(int) count];
        Iterator<RowBlock> it = blocks.toLocalIterator();
        while (it.hasNext()) {
            RowBlock b = it.next();
            for (int i = 0; i < b.rows(); i++) {
                int id = b.keys()[i];
                System.arraycopy(b.x(), i * features, x, id * features, features);
                y[id] = b.y()[i];
                origins[id] = id;
            }
        }
        return new Examples(source, "row", features, x, y, origins);
    }

    /** The rows, cached: one block per input partition, keys = global row ids. */
    public JavaRDD<RowBlock> blocks() {
        return blocks;
    }

    public long count() {
        return count;
    }

    public int features() {
        return features;
    }

    /** Count, per-feature mean and standard deviation (population), label range: aggregated on the executors. */
    public RowStats stats() {
        return RowStats.of(blocks, features);
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }
}

package org.sparkdnn.engine;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.DataPlacement;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.task.RunRows;

/**
 * The training rows as the distributed engines see them: per epoch, an RDD of k partitions where partition w holds
 * exactly worker w's shards of every global batch of the epoch, as blocks keyed by the rows' positions in the epoch.
 * The data reaches the executors once; how is {@code cluster.dataPlacement}. Public for the data benchmark.
 */
public interface EpochData extends AutoCloseable {
    JavaPairRDD<Integer, RowBlock> epoch(int epoch);

    /**
     * The rows of a barrier stage that lasts the whole run (each epoch's shards derived on the executors from the
     * batch plan), or null when the rows reach the workers per epoch ({@link #epoch}).
     */
    default RunRows runRows() {
        return null;
    }

    @Override
    void close();

    static EpochData of(DataPlacement placement, JavaSparkContext sc, Examples train, BatchPlan plan, int workers) {
        if (placement == DataPlacement.SHUFFLE && plan.isPartitioned()) {
            List<RowBlock> slices = new ArrayList<>(workers);
            for (int w = 0; w < workers; w++) {
                slices.add(RowBlock.slice(train, plan.home(w), plan.home(w + 1)));
            }
            return new PartitionedEpochData(sc.parallelize(slices, workers), plan, workers);
        }
        return placement == DataPlacement.SHUFFLE
                ? new ShuffledEpochData(sc, train, plan, workers)
                : new BroadcastEpochData(sc, train, plan, workers);
    }

    /** Rows already cached on the executors (keys = training index): by home worker, or shuffled per epoch. */
    public static EpochData onExecutors(JavaRDD<RowBlock> train, BatchPlan plan, int workers) {
        return plan.isPartitioned() ? new PartitionedEpochData(train, plan, workers)
                : new ShuffledEpochData(train, plan, workers);
    }
}

package org.sparkdnn.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.RowBlock;
import scala.Tuple2;

/**
 * {@code data.shuffle: partitioned}: one shuffle moves every training row to its home worker's partition (cached
 * there); each epoch then only re-keys each partition's rows by their positions in that epoch's order — a narrow
 * transformation, so after the first epoch no row crosses the network (as long as Spark runs task w where partition w
 * is cached, which its locality preference asks for).
 */
final class PartitionedEpochData implements EpochData {
    private final JavaPairRDD<Integer, RowBlock> home;
    private final BatchPlan plan;

    /** @param trainBlocks the training rows keyed by training index (any partitioning) */
    PartitionedEpochData(JavaRDD<RowBlock> trainBlocks, BatchPlan plan, int workers) {
        if (!plan.isPartitioned()) {
            throw new IllegalArgumentException("a partitioned plan is needed");
        }
        int[] bounds = new int[workers + 1];
        for (int w = 0; w <= workers; w++) {
            bounds[w] = plan.home(w);
        }
        // the shuffled-in blocks are cached as they arrive (no merge into one block: that copy doubled a home's
        // memory and ran a 1 GB home out of heap); the worker's epoch task takes any number of blocks
        this.home = trainBlocks.flatMapToPair(b -> byHome(b, bounds).iterator())
                .partitionBy(new HashPartitioner(workers))
                .persist(StorageLevel.MEMORY_AND_DISK());
        this.home.count();
        this.plan = plan;
    }

    private static List<Tuple2<Integer, RowBlock>> byHome(RowBlock b, int[] bounds) {
        int workers = bounds.length - 1;
        List<List<Integer>> rows = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            rows.add(new ArrayList<>());
        }
        for (int i = 0; i < b.rows(); i++) {
            int key = b.keys()[i];
            int w = Arrays.binarySearch(bounds, key);
            w = w >= 0 ? w : -w - 2; // the home whose range [bounds[w], bounds[w + 1]) holds the key
            rows.get(w).add(i);
        }
        List<Tuple2<Integer, RowBlock>> out = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            if (!rows.get(w).isEmpty()) {
                int[] r = rows.get(w).stream().mapToInt(Integer::intValue).toArray();
                int[] keys = Arrays.stream(r).map(i -> b.keys()[i]).toArray();
                out.add(new Tuple2<>(w, b.select(r, keys)));
            }
        }
        return out;
    }

    @Override
    public JavaPairRDD<Integer, RowBlock> epoch(int epoch) {
        BatchPlan p = plan;
        return home.mapValues(b -> {
            int[] position = p.positions(epoch);
            int[] keys = new int[b.rows()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = position[b.keys()[i]];
            }
            return new RowBlock(keys, b.x(), b.y(), b.features());
        });
    }

    /** The cached home partitions (tests: their lineage and contents). */
    JavaPairRDD<Integer, RowBlock> home() {
        return home;
    }

    @Override
    public void close() {
        home.unpersist(false);
    }
}

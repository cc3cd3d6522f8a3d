package org.sparkdnn.rows;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.RowBlock;

/**
 * Global row ids: blocks read one per partition with ids local to it (0..) are shifted by the rows of the partitions
 * before, so ids run 0..n−1 in partition order, stable for the run because the result is cached.
 */
final class GlobalIds {
    private GlobalIds() {
    }

    /**
     * Cached blocks of one block per partition, ids local to it, shifted by {@code offsets} (the rows of the
     * partitions before) into global ids and cached in their place; {@code local} is released.
     */
    static DistributedRows assign(JavaRDD<RowBlock> local, long[] offsets, long total, int width) {
        JavaRDD<RowBlock> global = local.mapPartitionsWithIndex((p, it) -> {
            RowBlock b = it.next();
            int[] keys = new int[b.rows()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = Math.toIntExact(offsets[p] + i);
            }
            return List.of(new RowBlock(keys, b.x(), b.y(), b.features())).iterator();
        }, true);
        global.persist(StorageLevel.MEMORY_AND_DISK());
        global.count();
        local.unpersist(false);
        return new DistributedRows(global, total, width);
    }

}

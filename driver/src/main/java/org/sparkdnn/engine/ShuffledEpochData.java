package org.sparkdnn.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import scala.Tuple2;

/**
 * {@code cluster.dataPlacement: shuffle}: the training rows are shipped once as k blocks and cached on the
 * executors (each holds 1/k of the data); per epoch, a shuffle redistributes them so that partition w holds exactly
 * worker w's shards (each block split into one block per owning worker; k × k blocks cross the shuffle). For data
 * sets too large for one executor's memory; costs a shuffle of the whole training set per epoch.
 */
final class ShuffledEpochData implements EpochData {
    private final JavaRDD<RowBlock> blocks;
    private final BatchPlan plan;
    private final int workers;
    private final boolean owned;

    ShuffledEpochData(JavaSparkContext sc, Examples train, BatchPlan plan, int workers) {
        List<RowBlock> slices = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            slices.add(RowBlock.slice(train, (int) ((long) train.count() * w / workers),
                    (int) ((long) train.count() * (w + 1) / workers)));
        }
        this.blocks = sc.parallelize(slices, workers).persist(StorageLevel.MEMORY_ONLY());
        this.plan = plan;
        this.workers = workers;
        this.owned = true;
    }

    /**
     * Rows already on the executors ({@code data.read: executors}): cached blocks keyed by training-row index, owned
     * by the caller (not unpersisted here).
     */
    ShuffledEpochData(JavaRDD<RowBlock> cachedTrainBlocks, BatchPlan plan, int workers) {
        this.blocks = cachedTrainBlocks;
        this.plan = plan;
        this.workers = workers;
        this.owned = false;
    }

    @Override
    public JavaPairRDD<Integer, RowBlock> epoch(int epoch) {
        return blocks.flatMapToPair(new SplitByOwner(plan, workers, epoch))
                .partitionBy(new HashPartitioner(workers));
    }

    @Override
    public void close() {
        if (owned) {
            blocks.unpersist(false);
        }
    }

    /** Splits a cached block into one block per owning worker, rows keyed by their position in the epoch. */
    static final class SplitByOwner implements PairFlatMapFunction<RowBlock, Integer, RowBlock> {
        private final BatchPlan plan;
        private final int workers;
        private final int epoch;

        SplitByOwner(BatchPlan plan, int workers, int epoch) {
            this.plan = plan;
            this.workers = workers;
            this.epoch = epoch;
        }

        @Override
        public Iterator<Tuple2<Integer, RowBlock>> call(RowBlock block) {
            int[] position = plan.positions(epoch);
            int[] owner = new int[block.rows()];
            int[] count = new int[workers];
            for (int r = 0; r < block.rows(); r++) {
                owner[r] = plan.ownerOf(position[block.keys()[r]], workers);
                count[owner[r]]++;
            }
            List<Tuple2<Integer, RowBlock>> out = new ArrayList<>(workers);
            for (int w = 0; w < workers; w++) {
                int[] rows = new int[count[w]];
                int[] keys = new int[count[w]];
                for (int r = 0, i = 0; r < block.rows(); r++) {
                    if (owner[r] == w) {
                        rows[i] = r;
                        keys[i++] = position[block.keys()[r]];
                    }
                }
                out.add(new Tuple2<>(w, block.select(rows, keys)));
            }
            return out.iterator();
        }
    }
}

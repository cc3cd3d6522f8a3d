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
    private final long seed;
    private final int examples;
    private final int batchSize;
    private final int workers;

    ShuffledEpochData(JavaSparkContext sc, Examples train, long seed, int batchSize, int workers) {
        List<RowBlock> slices = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            slices.add(RowBlock.slice(train, (int) ((long) train.count() * w / workers),
                    (int) ((long) train.count() * (w + 1) / workers)));
        }
        this.blocks = sc.parallelize(slices, workers).persist(StorageLevel.MEMORY_ONLY());
        this.seed = seed;
        this.examples = train.count();
        this.batchSize = batchSize;
        this.workers = workers;
    }

    @Override
    public JavaPairRDD<Integer, RowBlock> epoch(int epoch) {
        return blocks.flatMapToPair(new SplitByOwner(seed, examples, batchSize, workers, epoch))
                .partitionBy(new HashPartitioner(workers));
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }

    /** Splits a cached block into one block per owning worker, rows keyed by their position in the epoch. */
    static final class SplitByOwner implements PairFlatMapFunction<RowBlock, Integer, RowBlock> {
        private final long seed;
        private final int examples;
        private final int batchSize;
        private final int workers;
        private final int epoch;

        SplitByOwner(long seed, int examples, int batchSize, int workers, int epoch) {
            this.seed = seed;
            this.examples = examples;
            this.batchSize = batchSize;
            this.workers = workers;
            this.epoch = epoch;
        }

        @Override
        public Iterator<Tuple2<Integer, RowBlock>> call(RowBlock block) {
            BatchPlan plan = new BatchPlan(seed, examples, batchSize);
            int[] order = plan.permutation(epoch);
            int[] position = new int[examples];
            for (int p = 0; p < examples; p++) {
                position[order[p]] = p;
            }
            int[] owner = new int[block.rows()];
            int[] count = new int[workers];
            for (int r = 0; r < block.rows(); r++) {
                owner[r] = plan.ownerOf(position[block.keys()[r]], workers);
                count[owner[r]]++;
            }
            List<Tuple2<Integer, RowBlock>> out = new ArrayList<>(workers);
            int d = block.features();
            for (int w = 0; w < workers; w++) {
                int[] keys = new int[count[w]];
                float[] x = new float[count[w] * d];
                float[] y = new float[count[w]];
                for (int r = 0, i = 0; r < block.rows(); r++) {
                    if (owner[r] == w) {
                        keys[i] = position[block.keys()[r]];
                        System.arraycopy(block.x(), r * d, x, i * d, d);
                        y[i++] = block.y()[r];
                    }
                }
                out.add(new Tuple2<>(w, new RowBlock(keys, x, y, d)));
            }
            return out.iterator();
        }
    }
}

package org.sparkdnn.engine;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFlatMapFunction;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.TrainRow;
import scala.Tuple2;

/**
 * The training rows in Spark: shipped once and cached on the executors; per epoch, re-partitioned so that partition
 * w holds exactly worker w's shards of every global batch of the epoch, sorted by position in the epoch (keys
 * {@code w · n + position}).
 */
final class EpochData implements AutoCloseable {
    private final JavaRDD<TrainRow> rows;
    private final long seed;
    private final int examples;
    private final int batchSize;
    private final int workers;

    EpochData(JavaSparkContext sc, Examples train, long seed, int batchSize, int workers) {
        List<TrainRow> list = new ArrayList<>(train.count());
        int d = train.features();
        for (int i = 0; i < train.count(); i++) {
            float[] x = new float[d];
            System.arraycopy(train.x(), i * d, x, 0, d);
            list.add(new TrainRow(i, x, train.y()[i]));
        }
        this.rows = sc.parallelize(list, workers).persist(StorageLevel.MEMORY_ONLY());
        this.seed = seed;
        this.examples = train.count();
        this.batchSize = batchSize;
        this.workers = workers;
    }

    JavaPairRDD<Long, TrainRow> epoch(int epoch) {
        return rows.mapPartitionsToPair(new KeyByOwner(seed, examples, batchSize, workers, epoch))
                .repartitionAndSortWithinPartitions(new WorkerPartitioner(workers, examples));
    }

    @Override
    public void close() {
        rows.unpersist(false);
    }

    /** Keys each row by (owning worker, position in the epoch's order). */
    static final class KeyByOwner implements PairFlatMapFunction<Iterator<TrainRow>, Long, TrainRow> {
        private final long seed;
        private final int examples;
        private final int batchSize;
        private final int workers;
        private final int epoch;

        KeyByOwner(long seed, int examples, int batchSize, int workers, int epoch) {
            this.seed = seed;
            this.examples = examples;
            this.batchSize = batchSize;
            this.workers = workers;
            this.epoch = epoch;
        }

        @Override
        public Iterator<Tuple2<Long, TrainRow>> call(Iterator<TrainRow> partition) {
            BatchPlan plan = new BatchPlan(seed, examples, batchSize);
            int[] order = plan.permutation(epoch);
            int[] position = new int[examples];
            for (int p = 0; p < examples; p++) {
                position[order[p]] = p;
            }
            List<Tuple2<Long, TrainRow>> keyed = new ArrayList<>();
            while (partition.hasNext()) {
                TrainRow row = partition.next();
                int p = position[row.index()];
                keyed.add(new Tuple2<>((long) plan.ownerOf(p, workers) * examples + p, row));
            }
            return keyed.iterator();
        }
    }

    /** Partition = key / n = the owning worker. */
    static final class WorkerPartitioner extends Partitioner {
        private final int workers;
        private final int examples;

        WorkerPartitioner(int workers, int examples) {
            this.workers = workers;
            this.examples = examples;
        }

        @Override
        public int numPartitions() {
            return workers;
        }

        @Override
        public int getPartition(Object key) {
            return (int) ((Long) key / examples);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WorkerPartitioner && ((WorkerPartitioner) o).workers == workers
                    && ((WorkerPartitioner) o).examples == examples;
        }

        @Override
        public int hashCode() {
            return workers * 31 + examples;
        }
    }
}

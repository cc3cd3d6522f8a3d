package org.sparkdnn.engine;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.PairFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.data.ShardIndex;
import org.sparkdnn.task.RunRows;
import scala.Tuple2;

/**
 * {@code cluster.dataPlacement: broadcast} (the default): the training rows are broadcast once and cached on every
 * executor; per epoch only the row indices travel — k small lists, list w naming worker w's rows in epoch order —
 * and each task gathers its rows from the executor's copy. No shuffle of the data; costs one full copy per executor.
 * The {@code sync} engine needs not even the indices: its one stage derives every epoch's from the plan
 * ({@link #runRows}).
 */
final class BroadcastEpochData implements EpochData {
    private final JavaSparkContext sc;
    private final Broadcast<RowBlock> rows;
    private final BatchPlan plan;
    private final int examples;
    private final int workers;

    BroadcastEpochData(JavaSparkContext sc, Examples train, BatchPlan plan, int workers) {
        this.sc = sc;
        this.rows = sc.broadcast(RowBlock.slice(train, 0, train.count()));
        this.plan = plan;
        this.examples = train.count();
        this.workers = workers;
    }

    @Override
    public JavaPairRDD<Integer, RowBlock> epoch(int epoch) {
        int[] order = plan.permutation(epoch);
        int[] counts = new int[workers];
        int[] owner = new int[examples];
        for (int p = 0; p < examples; p++) {
            owner[p] = plan.ownerOf(p, workers);
            counts[owner[p]]++;
        }
        List<ShardIndex> indices = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            indices.add(new ShardIndex(w, new int[counts[w]], new int[counts[w]]));
        }
        int[] filled = new int[workers];
        for (int p = 0; p < examples; p++) {
            ShardIndex s = indices.get(owner[p]);
            s.positions()[filled[owner[p]]] = p;
            s.rows()[filled[owner[p]]++] = order[p];
        }
        return sc.parallelize(indices, workers).mapToPair(new Gather(rows));
    }

    @Override
    public RunRows runRows() {
        return new RunRows(rows, plan);
    }

    @Override
    public void close() {
        rows.destroy();
    }

    /** Worker w's rows, copied from the executor's broadcast copy, keyed by position in the epoch. */
    static final class Gather implements PairFunction<ShardIndex, Integer, RowBlock> {
        private final Broadcast<RowBlock> rows;

        Gather(Broadcast<RowBlock> rows) {
            this.rows = rows;
        }

        @Override
        public Tuple2<Integer, RowBlock> call(ShardIndex index) {
            return new Tuple2<>(index.worker(), rows.value().select(index.rows(), index.positions().clone()));
        }
    }
}

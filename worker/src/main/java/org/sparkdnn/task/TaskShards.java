package org.sparkdnn.task;

import java.io.IOException;
import java.util.Iterator;
import org.sparkdnn.data.HeapRows;
import org.sparkdnn.data.RowBlock;
import scala.Tuple2;

/**
 * A barrier task's shards, per epoch: a per-epoch stage holds its one epoch's (from its partition); a run-wide stage
 * ({@link RunRows}) derives each epoch's when the first step of it arrives.
 */
final class TaskShards {
    private final WorkerSpec spec;
    private final RunRows run;
    private final HeapRows source; // run-wide: the executor's broadcast rows
    private final int worker;
    private int epoch;
    private WorkerShards shards;

    /**
     * @param rows   the task's partition: its shards of {@code epoch}; ignored (empty) for a run-wide stage
     * @param run    the rows of a run-wide stage; null for a per-epoch stage
     * @param epoch  the epoch of a per-epoch stage; for a run-wide stage, the first it trains
     */
    TaskShards(Iterator<Tuple2<Integer, RowBlock>> rows, WorkerSpec spec, RunRows run, int epoch, int worker) {
        this.spec = spec;
        this.run = run;
        this.worker = worker;
        this.epoch = epoch;
        this.source = run == null ? null : run.source(spec);
        this.shards = run == null ? WorkerShards.build(rows, spec)
                : WorkerShards.ofPlan(source, run.plan(), epoch, worker, spec.workers());
    }

    /** The shards of epoch {@code e}. */
    WorkerShards epoch(int e) throws IOException {
        if (e != epoch) {
            if (run == null) {
                throw new IOException("a step of epoch " + (e + 1) + " asked of a task of epoch " + (epoch + 1));
            }
            shards = WorkerShards.ofPlan(source, run.plan(), e, worker, spec.workers());
            epoch = e;
        }
        return shards;
    }

    int rows() {
        return shards.rows();
    }
}

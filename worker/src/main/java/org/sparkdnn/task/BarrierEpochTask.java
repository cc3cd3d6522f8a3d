package org.sparkdnn.task;

import java.io.EOFException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.sparkdnn.data.RowBlock;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * What every barrier task of the {@code sync} engine does alike, whatever its exchange: it is worker w (the
 * partition) of stage attempt a, for epoch e or — a run-wide stage ({@link RunRows}) — every epoch from e on. It binds
 * its GPU, builds its shards and replica, then serves the driver until it says the stage is over, and returns how
 * many steps it served. A subclass is one exchange's worker half ({@link EpochTask}, {@link PeerEpochTask}).
 */
public abstract class BarrierEpochTask extends AbstractFunction1<Iterator<Tuple2<Integer, RowBlock>>, Iterator<Long>>
        implements Serializable {
    protected final WorkerSpec spec;
    protected final int epoch;
    protected final RunRows run;

    /**
     * @param run  non-null: a stage for the rest of the run from {@code epoch} on, its shards derived per epoch
     *             from {@code run} (the partition is ignored); it ends with the driver's {@code EndEpoch}
     */
    protected BarrierEpochTask(WorkerSpec spec, int epoch, RunRows run) {
        this.spec = spec;
        this.epoch = epoch;
        this.run = run;
    }

    /** One running task: who it is, its shards and replica, and when they were ready ({@code System.nanoTime}). */
    protected record Task(BarrierTaskContext context, int worker, int attempt, TaskShards shards, Replica replica,
                          long startNanos, long shardsNanos) {
    }

    @Override
    public final Iterator<Long> apply(Iterator<Tuple2<Integer, RowBlock>> rows) {
        BarrierTaskContext context = BarrierTaskContext.get();
        int worker = context.partitionId();
        int attempt = context.stageAttemptNumber();
        GpuBinding.bind(context);
        long start = System.nanoTime();
        TaskShards shards = new TaskShards(JavaConverters.asJavaIterator(rows), spec, run, epoch, worker);
        long built = System.nanoTime();
        Task task = new Task(context, worker, attempt, shards, replica(), start, built);
        try {
            return JavaConverters.asScalaIterator(List.of(serve(task)).iterator());
        } catch (IOException e) {
            throw failure(where(worker, attempt), e);
        }
    }

    /** The task's replica network. */
    protected abstract Replica replica();

    /** Serves the driver until the stage ends; returns the steps served. */
    protected abstract long serve(Task task) throws IOException;

    /** "worker w (stage attempt a), epoch e": how a task names itself in messages. */
    protected final String where(int worker, int attempt) {
        return "worker " + worker + " (stage attempt " + attempt + "), epoch " + (epoch + 1);
    }

    /**
     * Before a step: a task Spark interrupted stops, and the injected fault ({@code cluster.faultInjection}) fires in
     * the stage's first attempt.
     */
    protected final void beforeStep(Task task, long step) {
        if (task.context().isInterrupted()) {
            throw new IllegalStateException("worker " + task.worker() + " interrupted by Spark at step " + step);
        }
        if (task.attempt() == 0 && task.worker() == spec.fault().worker() && step == spec.fault().step()) {
            throw new IllegalStateException("injected fault: worker " + task.worker() + " fails at step " + step
                    + " in stage attempt 0 (cluster.faultInjection)");
        }
    }

    /**
     * A failure from inside a training pass as the IOException it began as (an exchange within the step: DL4J may have
     * wrapped it); anything else is rethrown.
     */
    protected static IOException ioFailure(RuntimeException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UncheckedIOException u) {
                return u.getCause();
            }
        }
        throw e;
    }

    /** The task's failure for Spark: a closed parameter-server connection says why that usually happens. */
    private static UncheckedIOException failure(String where, IOException e) {
        return new UncheckedIOException(e instanceof EOFException ? where + ": the parameter server closed the "
                + "connection (another worker failed, or the run ended)" : where + ": " + e, e);
    }
}

package org.sparkdnn.task;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.step.ShardGradient;

/**
 * One step of the {@code reference} engine on one partition: the gradient of this worker's shard of batch
 * {@code batch} at the broadcast parameters, in the parameters' type. With synchronized BatchNorm the tasks of a job
 * cannot talk to each other, so a step is several jobs, each replaying the step from its start: collective p of the
 * step takes the merged statistics the driver already has ({@code known}, from earlier jobs of the step) while
 * p &lt; known.size(); at the first unknown one the task stops and returns its statistics vector instead of a gradient.
 * The driver merges them in worker order and runs the next job; the last one returns the gradients. Replaying is
 * exact (the same parameters, rows and dropout keys give the same bytes) and slow, as an oracle may be.
 */
public final class ReferenceTask implements FlatMapFunction<Iterator<ReferenceTask.Worker>, ReferenceTask.Result>,
        Serializable {
    private final WorkerSpec spec;
    private final Broadcast<FlatVector> params;
    private final int batch;
    private final long step;
    private final List<BatchNormExchange.Merged> known;

    /**
     * One worker's shard gradient of a step: the sum of its examples' losses, their count, the gradient. A plain class,
     * not a record, for the same reason as {@link FlatVector}.
     */
    public static final class Result implements Serializable {
        private static final long serialVersionUID = 1L;
        private final double lossSum;
        private final int examples;
        private final FlatVector gradient;
        private final double[] statistics;

        public Result(double lossSum, int examples, FlatVector gradient) {
            this(lossSum, examples, gradient, null);
        }

        private Result(double lossSum, int examples, FlatVector gradient, double[] statistics) {
            this.lossSum = lossSum;
            this.examples = examples;
            this.gradient = gradient;
            this.statistics = statistics;
        }

        /** A replay stopped at a BatchNorm collective the driver has not merged yet, with this worker's vector. */
        public static Result paused(double[] statistics) {
            return new Result(0, 0, null, statistics);
        }

        /** The worker's statistics vector of the step's first BatchNorm collective not yet merged; else null. */
        public double[] statistics() {
            return statistics;
        }

        public double lossSum() {
            return lossSum;
        }

        public int examples() {
            return examples;
        }

        public FlatVector gradient() {
            return gradient;
        }
    }

    /** @param params the parameters, broadcast */
    public ReferenceTask(WorkerSpec spec, Broadcast<FlatVector> params, int batch, long step) {
        this(spec, params, batch, step, List.of());
    }

    /** @param known the merged statistics of the step's first known.size() BatchNorm collectives */
    public ReferenceTask(WorkerSpec spec, Broadcast<FlatVector> params, int batch, long step,
                         List<BatchNormExchange.Merged> known) {
        this.spec = spec;
        this.params = params;
        this.batch = batch;
        this.step = step;
        this.known = List.copyOf(known);
    }

    @Override
    public Iterator<Result> call(Iterator<Worker> partition) {
        Worker worker = partition.next();
        FlatVector values = params.value();
        worker.replica.batchNorm(this::replay, TaskContext.getPartitionId());
        ShardGradient g;
        try {
            g = worker.replica.gradient(step, values.toNd4j(), worker.shards, batch);
        } catch (RuntimeException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof Unknown u) {
                    return List.of(Result.paused(u.statistics)).iterator();
                }
            }
            throw e;
        }
        return List.of(new Result(g.lossSum(), g.examples(), FlatVector.of(g.gradient(), values.type()))).iterator();
    }

    private BatchNormExchange.Merged replay(long atStep, int pass, double[] mine) {
        if (pass >= known.size()) {
            throw new Unknown(mine);
        }
        BatchNormExchange.Merged merged = known.get(pass);
        if (atStep != step || merged.values().length != mine.length || merged.values()[0] != mine[0]
                || merged.values()[1] != mine[1]) {
            throw new IllegalStateException("the replay of step " + step + " reached BatchNorm collective " + pass
                    + " at another layer than the job that computed it");
        }
        return merged;
    }

    /** Stops a replay at the first collective the driver has not merged yet, with this worker's vector of it. */
    private static final class Unknown extends RuntimeException {
        private final transient double[] statistics;

        Unknown(double[] statistics) {
            super("BatchNorm statistics not merged yet", null, false, false);
            this.statistics = statistics;
        }
    }

    /**
     * A partition of the epoch as the reference engine caches it (deserialised, never shipped): the worker's shards
     * and its replica network, built once per epoch.
     */
    public static final class Worker {
        private final WorkerShards shards;
        private final Replica replica;

        public Worker(WorkerShards shards, Replica replica) {
            this.shards = shards;
            this.replica = replica;
        }
    }
}

package org.sparkdnn.task;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdnn.step.ShardGradient;

/**
 * One step of the {@code reference} engine on one partition: the gradient of this worker's shard of batch
 * {@code batch} at the broadcast parameters, in the parameters' type.
 */
public final class ReferenceTask implements FlatMapFunction<Iterator<ReferenceTask.Worker>, ReferenceTask.Result>,
        Serializable {
    private final WorkerSpec spec;
    private final Broadcast<FlatVector> params;
    private final int batch;
    private final long step;

    /**
     * One worker's shard gradient of a step: the sum of its examples' losses, their count, the gradient. A plain class,
     * not a record, for the same reason as {@link FlatVector}.
     */
    public static final class Result implements Serializable {
        private static final long serialVersionUID = 1L;
        private final double lossSum;
        private final int examples;
        private final FlatVector gradient;

        public Result(double lossSum, int examples, FlatVector gradient) {
            this.lossSum = lossSum;
            this.examples = examples;
            this.gradient = gradient;
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
        this.spec = spec;
        this.params = params;
        this.batch = batch;
        this.step = step;
    }

    @Override
    public Iterator<Result> call(Iterator<Worker> partition) {
        Worker worker = partition.next();
        FlatVector values = params.value();
        ShardGradient g = worker.replica.gradient(step, values.toNd4j(), worker.shards, batch);
        return List.of(new Result(g.lossSum(), g.examples(), FlatVector.of(g.gradient(), values.type()))).iterator();
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

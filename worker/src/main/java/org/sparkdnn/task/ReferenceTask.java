package org.sparkdnn.task;

import java.io.Serializable;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.step.ShardGradient;

/**
 * One step of the {@code reference} engine on one partition: the gradient of this worker's shard of batch
 * {@code batch} at the broadcast parameters. Returns (lossSum, examples, gradient values).
 */
public final class ReferenceTask implements FlatMapFunction<java.util.Iterator<ReferenceTask.Worker>, Object[]>, Serializable {
    private final WorkerSpec spec;
    private final Broadcast<Object> params;
    private final int batch;
    private final long step;

    /** @param params a broadcast float[] or double[] of the parameters */
    public ReferenceTask(WorkerSpec spec, Broadcast<Object> params, int batch, long step) {
        this.spec = spec;
        this.params = params;
        this.batch = batch;
        this.step = step;
    }

    @Override
    public java.util.Iterator<Object[]> call(java.util.Iterator<Worker> partition) {
        Worker worker = partition.next();
        Object values = params.value();
        org.nd4j.linalg.api.ndarray.INDArray p = values instanceof double[]
                ? Nd4j.createFromArray((double[]) values) : Nd4j.createFromArray((float[]) values);
        ShardGradient g = worker.replica.gradient(step, p, worker.shards, batch);
        Object gradient = values instanceof double[] ? g.gradient().toDoubleVector() : g.gradient().toFloatVector();
        return List.<Object[]>of(new Object[] {g.lossSum(), g.examples(), gradient}).iterator();
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

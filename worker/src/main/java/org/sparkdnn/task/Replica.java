package org.sparkdnn.task;

import java.util.Optional;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.model.DropoutContext;
import org.sparkdnn.model.NativeConv;
import org.sparkdnn.step.HookedGraph;
import org.sparkdnn.step.ShardGradient;

/** A worker's copy of the network: parameters come from the parameter server, gradients go back. */
public final class Replica {
    private final ComputationGraph net;
    private final boolean batchNorm;
    private BatchNormExchange.Exchange exchange;
    private int worker;

    public Replica(String modelJson, int threads) {
        this(modelJson, threads, false);
    }

    /** @param hooked a {@link HookedGraph}, whose layers an exchange can overlap ({@code cluster.peer.overlap}) */
    public Replica(String modelJson, int threads, boolean hooked) {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(modelJson);
        this.net = hooked ? new HookedGraph(conf) : new ComputationGraph(conf);
        net.init();
        NativeConv.install(net);
        this.batchNorm = !BatchNormExchange.layers(net).isEmpty();
    }

    /**
     * The in-step collective through which this replica's synchronized BatchNorm layers see the global batch, as
     * worker {@code worker}: set once per task by every engine that shards a batch (without it a BatchNorm layer would
     * normalise by its shard alone).
     */
    public void batchNorm(BatchNormExchange.Exchange exchange, int worker) {
        this.exchange = exchange;
        this.worker = worker;
    }

    /** Whether the network has synchronized BatchNorm layers (whose steps exchange within the step). */
    public boolean hasBatchNorm() {
        return batchNorm;
    }

    /** {@code body} with the BatchNorm collective set for step {@code step}, if the network has any. */
    private <T> T withBatchNorm(long step, Supplier<T> body) {
        if (!batchNorm) {
            return body.get();
        }
        if (exchange == null) {
            throw new IllegalStateException("a network with synchronized BatchNorm trained on a shard without its "
                    + "exchange");
        }
        return BatchNormExchange.with(step, worker, exchange, body);
    }

    /** An empty shard's part in the step's BatchNorm collectives ({@link BatchNormExchange#idle}). */
    private void idle(long step) {
        if (batchNorm) {
            withBatchNorm(step, () -> {
                BatchNormExchange.idle(net);
                return null;
            });
        }
    }

    /** The replica network itself ({@code exchange: peer} updates it in place). */
    public ComputationGraph network() {
        return net;
    }

    /**
     * As {@link #gradient(long, INDArray, WorkerShards, int)} at the replica's own parameters ({@code exchange: peer},
     * where every replica applies the same update).
     */
    public ShardGradient gradient(long step, WorkerShards shards, int batch) {
        return gradient(step, null, shards, batch);
    }

    /**
     * As {@link #gradient(long, WorkerShards, int)}, but the gradient is the network's own flat gradient array, not a
     * copy (an empty shard's zeros are written into it): {@code cluster.peer.overlap}.
     */
    public ShardGradient gradientInPlace(long step, WorkerShards shards, int batch) {
        Optional<DataSet> shard = shards.shard(batch);
        if (shard.isEmpty()) {
            ShardGradient zeros = new ShardGradient(net.getFlattenedGradients().assign(0), 0.0, 0);
            idle(step);
            return zeros;
        }
        return DropoutContext.with(step, shards.positions(batch),
                () -> withBatchNorm(step, () -> ShardGradient.compute(net, shard.get(), false)));
    }

    /** The network's parameter count: the size of every tensor the parameter server may send. */
    public long parameters() {
        return net.numParams();
    }

    /**
     * The gradient of {@code shard} of global batch {@code batch} at step {@code step} and {@code params}; all zeros
     * (0 examples) for an empty shard. Dropout masks are keyed by the step and the rows' positions in the batch.
     */
    public ShardGradient gradient(long step, INDArray params, WorkerShards shards, int batch) {
        Optional<DataSet> shard = shards.shard(batch);
        if (shard.isEmpty()) {
            idle(step);
            return new ShardGradient(Nd4j.zeros(net.params().dataType(), net.numParams()), 0.0, 0);
        }
        if (params != null) {
            net.setParams(params);
        }
        return DropoutContext.with(step, shards.positions(batch),
                () -> withBatchNorm(step, () -> ShardGradient.compute(net, shard.get())));
    }
}

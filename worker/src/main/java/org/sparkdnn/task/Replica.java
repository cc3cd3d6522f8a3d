package org.sparkdnn.task;

import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.model.DropoutContext;
import org.sparkdnn.model.NativeConv;
import org.sparkdnn.step.HookedGraph;
import org.sparkdnn.step.ShardGradient;

/** A worker's copy of the network: parameters come from the parameter server, gradients go back. */
public final class Replica {
    private final ComputationGraph net;

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
            return new ShardGradient(net.getFlattenedGradients().assign(0), 0.0, 0);
        }
        return DropoutContext.with(step, shards.positions(batch),
                () -> ShardGradient.compute(net, shard.get(), false));
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
            return new ShardGradient(Nd4j.zeros(net.params().dataType(), net.numParams()), 0.0, 0);
        }
        if (params != null) {
            net.setParams(params);
        }
        return DropoutContext.with(step, shards.positions(batch),
                () -> ShardGradient.compute(net, shard.get()));
    }
}

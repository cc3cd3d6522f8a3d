package org.sparkdnn.engine;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.Splits;
import org.sparkdnn.task.WorkerSpec;

/** Builds the {@link WorkerSpec} both distributed engines ship to their tasks. */
final class WorkerSpecs {
    private WorkerSpecs() {
    }

    static WorkerSpec of(RunConfig config, ComputationGraph master, Splits splits, String jobId, String psHost,
                         int psPort, String secret) {
        return of(config, master, splits.classes(), splits.train().features(), splits.train().count(), jobId, psHost,
                psPort, secret);
    }

    static WorkerSpec of(RunConfig config, ComputationGraph master, int classes, int features, int trainCount,
                         String jobId, String psHost, int psPort, String secret) {
        return of(config, master, classes, features, trainCount, jobId, psHost, psPort, secret, false);
    }

    static WorkerSpec of(RunConfig config, ComputationGraph master, int classes, int features, int trainCount,
                         String jobId, String psHost, int psPort, String secret, boolean ownerSlices) {
        return new WorkerSpec(jobId, master.getConfiguration().toJson(), config.model().loss(), classes,
                config.model().dataType(), features, config.training().seed(),
                trainCount, config.training().batchSize(), config.cluster().workers(), psHost, psPort,
                secret, config.cluster().stepTimeoutSeconds() * 1000, config.cluster().threadsPerWorker(),
                config.cluster().faultInjection().worker(), config.cluster().faultInjection().step(),
                // executors that reach the driver on loopback run on its machine: they reach each other there too
                psHost.startsWith("127.") ? psHost : null, ownerSlices, config.cluster().bucketMB(),
                overlap(config, master, ownerSlices));
    }

    /**
     * {@code cluster.overlap} resolved: owner slices in more than one bucket. With one bucket (a model under 1 MiB)
     * nothing can overlap: its reduce-scatter waits for the whole backward pass and the next forward pass for the
     * whole gather, so the exchange runs after the backward pass without the exchange thread's hand-offs.
     */
    static boolean overlap(RunConfig config, ComputationGraph master, boolean ownerSlices) {
        return ownerSlices && config.cluster().overlap() && buckets(config, master).count() > 1;
    }

    /** The peer exchange's buckets of the master's parameters ({@code cluster.bucketMB}), as the workers cut them. */
    static org.sparkdnn.ps.peer.Buckets buckets(RunConfig config, ComputationGraph master) {
        return org.sparkdnn.ps.peer.Buckets.of(master.numParams(), config.cluster().workers(),
                config.cluster().bucketMB(), master.params().dataType().width());
    }
}

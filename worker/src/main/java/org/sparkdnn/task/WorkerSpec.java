package org.sparkdnn.task;

import java.io.Serializable;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.NumericType;

/**
 * Everything a worker task needs, shipped in the task closure: no model, no context, only values.
 *
 * @param modelJson           the ComputationGraphConfiguration JSON of the replica network
 * @param examples            n, the training-set size
 * @param batchSize           B
 * @param workers             k
 * @param psHost              the parameter server's address as seen from executors
 * @param secret              the run's secret, presented to the parameter server
 * @param stepTimeoutMillis   deadline of one step (cluster.stepTimeoutSeconds)
 * @param failWorker          fault injection: this worker throws at {@code failStep} in stage attempt 0 (-1: off)
 * @param peerHost            {@code exchange: peer}: the address workers listen on for each other; null for the
 *                            executor's own address (Spark's block-manager host), loopback when the driver's is
 * @param ownerSlices         {@code exchange: peer}: each worker updates its slice of the parameters only
 *                            ({@code cluster.peerUpdate} resolved), else every worker its whole replica
 * @param bucketMB            {@code exchange: peer}: the exchange's buckets ({@code cluster.bucketMB}, {@code Buckets.of})
 * @param overlap             {@code exchange: peer} with owner slices: the exchange overlaps the backward and the next
 *                            forward pass ({@code cluster.overlap})
 */
public record WorkerSpec(String jobId, String modelJson, Loss loss, int classes, NumericType dataType, int features,
                         long seed, int examples, int batchSize, int workers, String psHost, int psPort,
                         String secret, int stepTimeoutMillis, int threads, int failWorker, long failStep,
                         String peerHost, boolean ownerSlices, double bucketMB, boolean overlap)
        implements Serializable {
    /** Without the secret (task descriptions and logs print specs). */
    @Override
    public String toString() {
        return "WorkerSpec(job " + jobId + ", " + workers + " workers, batch " + batchSize + ", " + examples
                + " examples, parameter server " + psHost + ":" + psPort + ")";
    }
}

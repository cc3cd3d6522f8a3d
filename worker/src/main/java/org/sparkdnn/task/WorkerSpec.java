package org.sparkdnn.task;

import java.io.Serializable;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.ps.peer.Buckets;
import org.sparkdnn.ps.peer.PortRange;

/**
 * Everything a worker task needs, shipped in the task closure: no model, no context, only values, grouped by what
 * they are for.
 *
 * @param server  how the task reaches the driver's parameter server and proves it belongs to the run
 * @param model   the replica it builds
 * @param plan    the batch plan its shards come from
 * @param fault   fault injection ({@code cluster.faultInjection}): off unless a test asks for it
 * @param peer    the peer exchange's settings ({@link Peer#NONE} with {@code cluster.exchange: driver})
 */
public record WorkerSpec(Server server, Model model, Plan plan, Fault fault, Peer peer) implements Serializable {
    /**
     * @param jobId              the run's id, carried by every message
     * @param host               the parameter server's address as seen from executors
     * @param port               its port
     * @param secret             the run's secret, presented to the parameter server (and to the other workers)
     * @param stepTimeoutMillis  deadline of one step ({@code cluster.stepTimeoutSeconds})
     * @param integrity          whether frames after the handshake carry MACs ({@code cluster.frameIntegrity})
     */
    public record Server(String jobId, String host, int port, String secret, int stepTimeoutMillis,
                         FrameIntegrity integrity) implements Serializable {
        /** Without the secret (task descriptions and logs print specs). */
        @Override
        public String toString() {
            return "job " + jobId + ", parameter server " + host + ":" + port;
        }
    }

    /**
     * @param json      the ComputationGraphConfiguration JSON of the replica network
     * @param loss      its loss (how labels are encoded)
     * @param classes   output classes (0 for regression)
     * @param dataType  the network's floating-point type
     * @param features  inputs per example
     * @param threads   ND4J threads of the task ({@code cluster.threadsPerWorker})
     */
    public record Model(String json, Loss loss, int classes, NumericType dataType, int features, int threads)
            implements Serializable {
        @Override
        public String toString() {
            return "model of " + features + " inputs, " + dataType;
        }
    }

    /**
     * @param seed       the run's root seed
     * @param examples   n, the training-set size
     * @param batchSize  B
     * @param workers    k
     */
    public record Plan(long seed, int examples, int batchSize, int workers) implements Serializable {
    }

    /** Worker {@code worker} throws at step {@code step} in stage attempt 0 (-1: off). */
    public record Fault(int worker, long step) implements Serializable {
        public static final Fault OFF = new Fault(-1, -1);
    }

    /**
     * @param host         the address workers listen on for each other; null for the executor's own address (Spark's
     *                     block-manager host), loopback when the driver's is
     * @param ownerSlices  each worker updates its slice of the parameters only ({@code cluster.peer.update} resolved),
     *                     else every worker its whole replica
     * @param buckets      the exchange's buckets of the parameters ({@code cluster.peer.bucketMB}), cut once by the driver
     * @param overlap      with owner slices: the exchange overlaps the backward and the next forward pass
     *                     ({@code cluster.peer.overlap} resolved)
     * @param ports        the ports its listener may take ({@code cluster.peer.ports})
     */
    public record Peer(String host, boolean ownerSlices, Buckets buckets, boolean overlap, PortRange ports)
            implements Serializable {
        /** Not a peer exchange. */
        public static final Peer NONE = new Peer(null, false, Buckets.whole(0, 1), false, PortRange.ANY);
    }

    /** k, the workers of the stage. */
    public int workers() {
        return plan.workers();
    }

    /** Without the secret (task descriptions and logs print specs). */
    @Override
    public String toString() {
        return "WorkerSpec(" + server + ", " + plan.workers() + " workers, batch " + plan.batchSize() + ", "
                + plan.examples() + " examples)";
    }
}

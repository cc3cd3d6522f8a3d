package org.sparkdnn.ps;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Everything that crosses a parameter-server connection. */
public sealed interface PsMessage permits PsMessage.Hello, PsMessage.Welcome, PsMessage.Reject, PsMessage.Params,
        PsMessage.Gradient, PsMessage.EndEpoch {

    /**
     * Worker → server, first message of a connection.
     *
     * @param secret       the run's shared secret (compared in constant time)
     * @param stageAttempt Spark's attempt number of the barrier stage that runs the worker
     * @param epoch        the epoch whose shards the worker holds
     */
    record Hello(String jobId, String secret, int worker, int stageAttempt, int epoch) implements PsMessage {
        @Override
        public String toString() {
            return "Hello(job " + jobId + ", worker " + worker + ", stage attempt " + stageAttempt + ", epoch " + epoch + ")";
        }
    }

    /** Server → worker: registered; training continues at step {@code nextStep}. */
    record Welcome(long nextStep) implements PsMessage {
    }

    /** Server → worker: the connection is refused; the worker fails with {@code reason}. */
    record Reject(String reason) implements PsMessage {
    }

    /** Server → worker: compute the gradient of your shard of batch {@code batch} at these parameters. */
    record Params(long step, int epoch, int batch, INDArray params) implements PsMessage {
        @Override
        public String toString() {
            return "Params(step " + step + ", epoch " + epoch + ", batch " + batch + ", " + params.length() + " values)";
        }
    }

    /**
     * Worker → server: the raw SUM gradient of the worker's shard of step {@code step}.
     *
     * @param lossSum  the shard's summed loss
     * @param examples the shard's size (0 for an empty shard; the gradient is then all zeros)
     * @param computeNanos time the worker spent on forward + backward (for the engine's time breakdown)
     */
    record Gradient(String jobId, int worker, int stageAttempt, long step, double lossSum, int examples,
                    long computeNanos, INDArray gradient) implements PsMessage {
        @Override
        public String toString() {
            return "Gradient(job " + jobId + ", worker " + worker + ", stage attempt " + stageAttempt + ", step " + step
                    + ", " + examples + " examples)";
        }
    }

    /** Server → worker: the epoch (or the run) is over; the task returns. */
    record EndEpoch(int epoch) implements PsMessage {
    }
}

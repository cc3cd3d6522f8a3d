package org.sparkdnn.ps;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Everything that crosses a parameter-server connection. */
public sealed interface PsMessage permits PsMessage.Challenge, PsMessage.Hello, PsMessage.Welcome, PsMessage.Reject,
        PsMessage.Params, PsMessage.EndEpoch, PsMessage.Reply, PsMessage.Step, PsMessage.Fetch, PsMessage.Peers,
        PsMessage.BatchNormMerged {

    /** Worker → server: an answer that belongs to one step of one stage attempt of one run. */
    sealed interface Reply extends PsMessage permits Gradient, StepDone, State, PeerAddress, BatchNormStats {
        String jobId();

        int worker();

        int stageAttempt();

        long step();
    }

    /** Server → worker, first frame of a connection: a fresh random nonce the worker must answer (see Handshake). */
    record Challenge(byte[] nonce) implements PsMessage {
        @Override
        public String toString() {
            return "Challenge(" + nonce.length + " bytes)";
        }
    }

    /**
     * Worker → server, the only frame accepted before authentication. The secret itself never crosses the wire:
     * {@code mac} = HMAC-SHA256(secret, the server's nonce, {@code clientNonce} and these fields).
     *
     * @param stageAttempt Spark's attempt number of the barrier stage that runs the worker
     * @param epoch        the epoch whose shards the worker holds
     * @param clientNonce  the worker's nonce, which the server's Welcome must prove it knows the secret for
     */
    record Hello(String jobId, int worker, int stageAttempt, int epoch, byte[] clientNonce, byte[] mac)
            implements PsMessage {
        @Override
        public String toString() {
            return "Hello(job " + jobId + ", worker " + worker + ", stage attempt " + stageAttempt + ", epoch " + epoch + ")";
        }
    }

    /**
     * Server → worker: registered; training continues at step {@code nextStep}. {@code proof} = HMAC-SHA256(secret,
     * both nonces, nextStep): the worker checks that it talks to its run's server.
     */
    record Welcome(long nextStep, byte[] proof) implements PsMessage {
        @Override
        public String toString() {
            return "Welcome(next step " + nextStep + ")";
        }
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
                    long computeNanos, INDArray gradient) implements Reply {
        @Override
        public String toString() {
            return "Gradient(job " + jobId + ", worker " + worker + ", stage attempt " + stageAttempt + ", step " + step
                    + ", " + examples + " examples)";
        }
    }

    /** Server → worker: the epoch (or the run) is over; the task returns. */
    record EndEpoch(int epoch) implements PsMessage {
    }

    /**
     * Server → worker ({@code exchange: peer}): train step {@code step} on your shard of global batch {@code batch}
     * ({@code batchSize} rows in all), exchange the gradient with the other workers and apply the update.
     *
     * @param norms whether the reply must carry the per-layer gradient norms (a recording step)
     */
    record Step(long step, int epoch, int batch, int batchSize, boolean norms) implements PsMessage {
    }

    /**
     * Worker → server ({@code exchange: peer}): step {@code step} is applied on this worker's replica.
     *
     * @param lossSum      the shard's summed loss
     * @param examples     the shard's size
     * @param computeNanos forward + backward; {@code exchangeNanos} the reduce-scatter and all-gather;
     *                     {@code applyNanos} the update
     * @param norms        per-layer L2 norms of the summed gradient (of the mean loss), in the network's gradient
     *                     order, when the step asked for them; else null
     */
    record StepDone(String jobId, int worker, int stageAttempt, long step, double lossSum, int examples,
                    long computeNanos, long exchangeNanos, long applyNanos, INDArray norms) implements Reply {
        @Override
        public String toString() {
            return "StepDone(job " + jobId + ", worker " + worker + ", stage attempt " + stageAttempt + ", step " + step
                    + ")";
        }
    }

    /** Server → worker ({@code exchange: peer}): send your replica's {@link State} after step {@code step}. */
    record Fetch(long step) implements PsMessage {
    }

    /**
     * A replica's training state: the iteration count {@code step}, the epoch count, and a SHA-256 {@code digest} of
     * the parameters' and optimizer state's bytes. Server → worker at registration (with the tensors: the state to
     * continue from), worker → server on {@link Fetch} (worker 0 with the tensors, the others with the digest only,
     * which the server compares: replicas that drifted apart fail the run).
     *
     * @param params       the flat parameters, or null
     * @param updaterState DL4J's flat updater state, or null (also when the optimizer has none, e.g. plain SGD)
     */
    record State(String jobId, int worker, int stageAttempt, long step, int epoch, byte[] digest, INDArray params,
                 INDArray updaterState) implements Reply {
        @Override
        public String toString() {
            return "State(worker " + worker + ", step " + step + (params != null ? ", " + params.length() + " params"
                    : ", digest only") + ")";
        }
    }

    /**
     * Worker → server ({@code exchange: peer}), right after registering: the "host:port" this worker listens on for
     * the other workers. The server answers every worker with {@link Peers} once all k have told theirs (through the
     * authenticated connection: Spark's own barrier {@code allGather} polls once a second).
     */
    record PeerAddress(String jobId, int worker, int stageAttempt, long step, String address) implements Reply {
    }

    /** Server → worker ({@code exchange: peer}): every worker's listening address, in worker order. */
    record Peers(long step, List<String> addresses) implements PsMessage {
    }

    /**
     * Worker → server ({@code exchange: driver}), within step {@code step}: the worker's statistics vector of the
     * step's BatchNorm collective {@code pass} ({@code model.BatchNormExchange}). The server merges the k vectors in
     * worker order and answers every worker with {@link BatchNormMerged}; the step's Gradient follows the last pass.
     */
    record BatchNormStats(String jobId, int worker, int stageAttempt, long step, int pass, double[] values)
            implements Reply {
        @Override
        public String toString() {
            return "BatchNormStats(worker " + worker + ", step " + step + ", pass " + pass + ", " + values.length
                    + " values)";
        }
    }

    /** Server → worker: the merged statistics of collective {@code pass} of step {@code step}. */
    record BatchNormMerged(long step, int pass, int writer, double[] values) implements PsMessage {
        @Override
        public String toString() {
            return "BatchNormMerged(step " + step + ", pass " + pass + ", " + values.length + " values)";
        }
    }
}

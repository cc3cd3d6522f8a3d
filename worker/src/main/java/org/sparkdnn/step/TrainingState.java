package org.sparkdnn.step;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network's training state as {@code exchange: peer} moves it between the driver's master and the workers'
 * replicas: the flat parameters, DL4J's flat updater state, the iteration and epoch counts, and a SHA-256 digest of
 * all of them that tells whether two replicas are bitwise the same.
 */
public final class TrainingState {
    private TrainingState() {
    }

    /** The updater's flat state, or null when the optimizer keeps none (plain SGD). */
    public static INDArray updaterState(ComputationGraph net) {
        INDArray state = net.getUpdater().getStateViewArray();
        return state == null || state.isEmpty() ? null : state;
    }

    /** SHA-256 over the parameters' and updater state's native bytes and the two counts. */
    public static byte[] digest(ComputationGraph net) {
        return digest(net, true);
    }

    /**
     * SHA-256 over the parameters' native bytes and the two counts: what replicas with owner slices have in common
     * (each keeps only its slice of the optimizer state).
     */
    public static byte[] parametersDigest(ComputationGraph net) {
        return digest(net, false);
    }

    private static byte[] digest(ComputationGraph net, boolean withState) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            update(sha, net.params());
            INDArray state = withState ? updaterState(net) : null;
            if (state != null) {
                update(sha, state);
            }
            sha.update(ByteBuffer.allocate(12).putLong(net.getIterationCount()).putInt(net.getEpochCount()).flip());
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static void update(MessageDigest sha, INDArray array) {
        INDArray whole = !array.isView() && array.data().offset() == 0 && array.data().length() == array.length()
                && array.ordering() == 'c' ? array : array.dup('c');
        ByteBuffer bytes = whole.data().asNio().duplicate();
        bytes.limit((int) (whole.length() * whole.dataType().width())).position(0);
        sha.update(bytes);
    }

    /**
     * Makes {@code net} continue from this state: its parameters, updater state, iteration and epoch counts.
     *
     * @throws IllegalArgumentException if the tensors do not fit the network (nothing is changed then)
     */
    public static void restore(ComputationGraph net, INDArray params, INDArray updaterState, long step, int epoch) {
        INDArray state = updaterState(net);
        checkParameters(net, params);
        long expected = state == null ? 0 : state.length();
        long got = updaterState == null ? 0 : updaterState.length();
        if (expected != got || (state != null && updaterState.dataType() != state.dataType())) {
            throw new IllegalArgumentException("optimizer state of " + got + " values for a network whose optimizer "
                    + "keeps " + expected);
        }
        restoreParameters(net, params, step, epoch);
        if (state != null) {
            state.assign(updaterState.reshape(state.shape()));
        }
    }

    /**
     * As {@link #restore} without the optimizer state (owner slices keep theirs in {@code SliceUpdate}; the
     * network's own DL4J updater is never created).
     */
    public static void restoreParameters(ComputationGraph net, INDArray params, long step, int epoch) {
        checkParameters(net, params);
        net.params().assign(params.reshape(net.params().shape()));
        net.getConfiguration().setIterationCount((int) step);
        net.getConfiguration().setEpochCount(epoch);
    }

    private static void checkParameters(ComputationGraph net, INDArray params) {
        if (params == null || params.length() != net.numParams() || params.dataType() != net.params().dataType()) {
            throw new IllegalArgumentException("parameters " + (params == null ? "missing" : params.length() + " "
                    + params.dataType()) + " for a network of " + net.numParams() + " " + net.params().dataType());
        }
    }
}

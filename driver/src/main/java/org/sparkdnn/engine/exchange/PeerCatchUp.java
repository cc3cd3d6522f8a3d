package org.sparkdnn.engine.exchange;

import java.security.MessageDigest;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.peer.Buckets;
import org.sparkdnn.ps.server.ParameterServer;
import org.sparkdnn.ps.server.WorkerLostException;
import org.sparkdnn.step.SliceUpdate;
import org.sparkdnn.step.TrainingState;

/**
 * The peer exchange's master catching up with the workers: it takes worker 0's state, and every replica's digest
 * must equal it (replicas that drift fail the run). With owner slices the digests cover the parameters (the same on
 * every worker) and each worker sends its slice of the optimizer state, which the master puts together.
 */
final class PeerCatchUp {
    private final ComputationGraph master;
    private final ParameterServer ps;
    private final boolean ownerSlices;
    private final Buckets buckets;
    private long count;
    private long nanos;

    PeerCatchUp(ComputationGraph master, ParameterServer ps, boolean ownerSlices, Buckets buckets) {
        this.master = master;
        this.ps = ps;
        this.ownerSlices = ownerSlices;
        this.buckets = buckets;
    }

    /** Fetches the workers' state after they trained up to (not including) {@code step}; the master takes it. */
    void run(long step) throws WorkerLostException, InterruptedException {
        long start = System.nanoTime();
        INDArray masterState = TrainingState.updaterState(master);
        PsMessage.State[] states = ps.round(step, new PsMessage.Fetch(step), PsMessage.State.class,
                (w, s) -> stateFault(w, s, masterState));
        for (PsMessage.State s : states) {
            if (!MessageDigest.isEqual(states[0].digest(), s.digest())) {
                throw new ClusterException("replicas drifted apart: worker " + s.worker() + "'s parameters"
                        + (ownerSlices ? "" : " and optimizer state") + " after step " + step + " differ from worker "
                        + "0's (workers on different hardware or ND4J builds?): set cluster.exchange: driver, which "
                        + "keeps a single copy of the state on the driver and is bitwise the same result");
            }
        }
        PsMessage.State s0 = states[0];
        INDArray state = ownerSlices && masterState != null ? assemble(states, masterState) : s0.updaterState();
        try {
            TrainingState.restore(master, s0.params(), state, step, s0.epoch());
        } catch (IllegalArgumentException e) {
            throw new ClusterException("worker 0 sent a state that does not fit the model: " + e.getMessage(), e);
        }
        byte[] digest = ownerSlices ? TrainingState.parametersDigest(master) : TrainingState.digest(master);
        if (!MessageDigest.isEqual(digest, s0.digest())) {
            throw new ClusterException("worker 0's state of step " + step + " does not match its digest");
        }
        count++;
        nanos += System.nanoTime() - start;
    }

    /** The master's optimizer state with each worker's slice put in place. */
    private INDArray assemble(PsMessage.State[] states, INDArray masterState) {
        INDArray state = masterState.dup().reshape(masterState.length());
        for (int w = 0; w < states.length; w++) {
            if (states[w].updaterState() == null) {
                continue; // a slice without state (stateFault checked that none was due)
            }
            INDArray slice = states[w].updaterState().reshape(states[w].updaterState().length());
            long at = 0;
            for (long[] piece : statePieces(w)) {
                long length = piece[1] - piece[0];
                state.get(NDArrayIndex.interval(piece[0], piece[1]))
                        .assign(slice.get(NDArrayIndex.interval(at, at + length)));
                at += length;
            }
        }
        return state;
    }

    /** The optimizer-state ranges worker w keeps with owner slices ({@code SliceUpdate.statePieces}). */
    private List<long[]> statePieces(int w) {
        return SliceUpdate.statePieces(master, buckets.owned(w));
    }

    /** What is wrong with worker w's reply to a Fetch, or null. */
    private String stateFault(int w, PsMessage.State s, INDArray masterState) {
        if (w == 0 && s.params() == null) {
            return "a state without parameters";
        }
        if (ownerSlices && masterState != null) {
            long expected = SliceUpdate.stateLength(statePieces(w));
            long got = s.updaterState() == null ? 0 : s.updaterState().length();
            if (got != expected || (got > 0 && s.updaterState().dataType() != masterState.dataType())) {
                return "an optimizer-state slice of " + got + (got > 0 ? " " + s.updaterState().dataType() : "")
                        + " values where its slice has " + expected + " " + masterState.dataType();
            }
        }
        return null;
    }

    /** Catch-ups so far. */
    long count() {
        return count;
    }

    /** Their time, seconds. */
    double seconds() {
        return nanos / 1e9;
    }
}

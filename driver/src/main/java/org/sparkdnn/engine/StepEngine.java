package org.sparkdnn.engine;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Applies one optimizer step of a global batch to the master network. The training loop owns epochs, batches,
 * evaluation and output; an engine only turns a batch into new parameters.
 */
public interface StepEngine extends AutoCloseable {
    /**
     * Trains on global batch {@code batch} of epoch {@code epoch} (training rows {@code rows}, in order) and returns
     * the batch's mean training loss before the step (without the regularisation term).
     */
    double step(int epoch, int batch, int[] rows);

    /** The epoch is over (or training stops inside it): distributed engines release their workers. */
    default void endEpoch(int epoch) {
    }

    /** The master network, holding the current parameters and optimizer state. */
    ComputationGraph network();

    /**
     * Per-layer L2 norms of the last step's gradient (of the mean loss): what the divergence guard uses to name the
     * layer whose gradient went bad. The distributed engines compute them every step (on the driver, beside the
     * update); {@code local} only on the steps that record them ({@code training.gradientNormsEvery}), else empty.
     */
    Map<String, Double> gradientNorms();

    /** Where the time went (ms per step by phase, bytes moved), for summary.json's {@code engineStats}. */
    default Map<String, Object> stats() {
        return Map.of();
    }

    @Override
    void close();
}

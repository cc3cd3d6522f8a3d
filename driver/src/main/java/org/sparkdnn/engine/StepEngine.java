package org.sparkdnn.engine;

import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Applies one optimizer step of a global batch to the master network. The training loop owns epochs, batches,
 * evaluation and output; an engine only turns a batch into new parameters.
 */
public interface StepEngine extends AutoCloseable {
    /**
     * Trains on global batch {@code batch} of epoch {@code epoch} (training rows {@code rows}, in order) and returns
     * the batch's mean training loss before the step.
     */
    double step(int epoch, int batch, int[] rows);

    /** The epoch is over (or training stops inside it): distributed engines release their workers. */
    default void endEpoch(int epoch) {
    }

    /** The master network, holding the current parameters and optimizer state. */
    ComputationGraph network();

    /** Asks for per-layer gradient norms of the next step. */
    void captureGradientNorms();

    /** The norms captured during the last step, if asked for. */
    Optional<Map<String, Double>> lastGradientNorms();

    /** Where the time went (ms per step by phase, bytes moved), for summary.json's {@code engineStats}. */
    default Map<String, Object> stats() {
        return Map.of();
    }

    @Override
    void close();
}

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
     * Trains on the training rows {@code rows} (one global batch) and returns the mean training loss of the batch
     * (before the step, regularisation included as DL4J reports it).
     *
     * @param epoch the 0-based epoch
     */
    double step(int[] rows, int epoch);

    /** The master network, holding the current parameters and optimizer state. */
    ComputationGraph network();

    /** Asks for per-layer gradient norms of the next step. */
    void captureGradientNorms();

    /** The norms captured during the last step, if asked for. */
    Optional<Map<String, Double>> lastGradientNorms();

    @Override
    void close();
}

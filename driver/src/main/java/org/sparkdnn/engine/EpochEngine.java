package org.sparkdnn.engine;

import java.util.List;

/**
 * An engine that trains whole epochs, not single steps: DL4J's own Spark trainers, whose {@code fit} takes an RDD of
 * an epoch's minibatches. The training loop calls {@link #fitEpoch} once per epoch instead of {@link #step}.
 */
public interface EpochEngine extends StepEngine {
    /**
     * Trains one pass over the global batches {@code batches} of epoch {@code epoch} (training rows, in order) and
     * returns the training loss after the epoch (mean over the epoch's last global batch, inference mode, without
     * the regularisation term).
     */
    double fitEpoch(int epoch, List<int[]> batches);

    @Override
    default double step(int epoch, int batch, int[] rows) {
        throw new UnsupportedOperationException("this engine trains whole epochs (fitEpoch)");
    }
}

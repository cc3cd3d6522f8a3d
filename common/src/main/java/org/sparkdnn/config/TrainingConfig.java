package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;

/**
 * The training loop.
 *
 * @param epochs             passes over the training split (default 10)
 * @param batchSize          global minibatch size B, split across workers (default 64); {@code all}: every training
 *                           row in one batch (full-batch gradient descent; resolved to the row count once the data is
 *                           read, see {@link #fullBatch()})
 * @param seed               root seed: weights, shuffling and per-worker seeds derive from it (default 42; 0 is
 *                           rejected because DL4J treats it as "random")
 * @param maxSteps           stop after this many optimizer steps (default 0: no limit)
 * @param patience           early stopping: epochs without validation-loss improvement (default 0: off)
 * @param minDelta           early stopping: smallest improvement that counts (default 0)
 * @param gradientNormsEvery log per-layer gradient L2 norms every N steps (default 0: off)
 * @param logEvery           write a step record to metrics.jsonl every N steps (default 10)
 * @param activationStatsEvery record the mean and standard deviation of every layer's output on a fixed sample of
 *                           the training split (the first rows of epoch 0's order, up to 256) every N steps, before
 *                           the step (default 0: off)
 * @param trainMetricsExamples training examples evaluated (inference mode) after every epoch for the epoch's train
 *                           loss and accuracy: the first N of a permutation fixed by the seed, the same each epoch
 *                           (default 2000; 0: off)
 */
public record TrainingConfig(Integer epochs,
                             @JsonDeserialize(using = BatchSizes.Reader.class)
                             @JsonSerialize(using = BatchSizes.Writer.class) Integer batchSize,
                             Long seed, Long maxSteps, Integer patience,
                             Double minDelta, Integer gradientNormsEvery, Integer logEvery,
                             Integer trainMetricsExamples, Integer activationStatsEvery) {
    public TrainingConfig {
        epochs = positive("epochs", orDefault(epochs, 10));
        batchSize = nonNegative("batchSize", orDefault(batchSize, 64));
        seed = orDefault(seed, 42L);
        if (seed == 0) {
            throw new ConfigException("seed", "must not be 0 (DL4J treats 0 as unseeded)", seed);
        }
        maxSteps = nonNegative("maxSteps", orDefault(maxSteps, 0L));
        patience = nonNegative("patience", orDefault(patience, 0));
        minDelta = nonNegative("minDelta", orDefault(minDelta, 0.0));
        gradientNormsEvery = nonNegative("gradientNormsEvery", orDefault(gradientNormsEvery, 0));
        logEvery = positive("logEvery", orDefault(logEvery, 10));
        trainMetricsExamples = nonNegative("trainMetricsExamples", orDefault(trainMetricsExamples, 2000));
        activationStatsEvery = nonNegative("activationStatsEvery", orDefault(activationStatsEvery, 0));
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(null, null, null, null, null, null, null, null, null, null);
    }

    /** {@code batchSize: all}: not yet resolved to the training split's row count ({@link #withBatchSize}). */
    public boolean fullBatch() {
        return batchSize == BatchSizes.ALL;
    }

    /** The same settings with {@code batchSize} (how {@code all} is resolved once the data is read). */
    public TrainingConfig withBatchSize(int size) {
        return new TrainingConfig(epochs, positive("batchSize", size), seed, maxSteps, patience, minDelta,
                gradientNormsEvery, logEvery, trainMetricsExamples, activationStatsEvery);
    }
}

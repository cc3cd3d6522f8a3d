package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * The training loop.
 *
 * @param epochs             passes over the training split (default 10)
 * @param batchSize          global minibatch size B, split across workers (default 64)
 * @param seed               root seed: weights, shuffling and per-worker seeds derive from it (default 42; 0 is
 *                           rejected because DL4J treats it as "random")
 * @param maxSteps           stop after this many optimizer steps (default 0: no limit)
 * @param patience           early stopping: epochs without validation-loss improvement (default 0: off)
 * @param minDelta           early stopping: smallest improvement that counts (default 0)
 * @param gradientNormsEvery log per-layer gradient L2 norms every N steps (default 0: off)
 * @param logEvery           write a step record to metrics.jsonl every N steps (default 10)
 * @param trainMetricsExamples training examples evaluated (inference mode) after every epoch for the epoch's train
 *                           loss and accuracy: the first N of a permutation fixed by the seed, the same each epoch
 *                           (default 2000; 0: off)
 */
public record TrainingConfig(Integer epochs, Integer batchSize, Long seed, Long maxSteps, Integer patience,
                             Double minDelta, Integer gradientNormsEvery, Integer logEvery,
                             Integer trainMetricsExamples) {
    public TrainingConfig {
        epochs = positive("epochs", orDefault(epochs, 10));
        batchSize = positive("batchSize", orDefault(batchSize, 64));
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
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(null, null, null, null, null, null, null, null, null);
    }
}

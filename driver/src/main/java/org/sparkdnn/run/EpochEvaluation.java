package org.sparkdnn.run;

import java.util.Optional;
import java.util.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;

/**
 * What is evaluated after every epoch, in inference mode: the validation split (for early stopping, keep-best and
 * the epoch line; on the driver or the executors, see {@link TrainingData}) and a fixed sample of the training split (for
 * the report's train accuracy curve: the first {@code training.trainMetricsExamples} rows of epoch 0's order), and
 * where {@code training.activationStatsEvery} is set, the sample of every layer's output statistics (the first
 * {@value #ACTIVATION_SAMPLE} rows of that order).
 */
record EpochEvaluation(Evaluator evaluator, Optional<Function<ComputationGraph, Evaluation>> validation,
                       Optional<ExampleMatrix> trainSample, Optional<ExampleMatrix> activationSample) {
    /** Rows of the fixed sample on which {@code training.activationStatsEvery} measures every layer's output. */
    static final int ACTIVATION_SAMPLE = 256;

    static EpochEvaluation of(Evaluator evaluator, TrainingData data, BatchPlan plan, int sampleSize,
                              boolean activationStats) {
        return new EpochEvaluation(evaluator, data.validation(evaluator), data.trainSample(plan, sampleSize),
                activationStats ? data.trainSample(plan, ACTIVATION_SAMPLE) : Optional.empty());
    }
}

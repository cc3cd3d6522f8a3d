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
 * the report's train accuracy curve: the first {@code training.trainMetricsExamples} rows of epoch 0's order).
 */
record EpochEvaluation(Evaluator evaluator, Optional<Function<ComputationGraph, Evaluation>> validation,
                       Optional<ExampleMatrix> trainSample) {

    static EpochEvaluation of(Evaluator evaluator, TrainingData data, BatchPlan plan, int sampleSize) {
        return new EpochEvaluation(evaluator, data.validation(evaluator), data.trainSample(plan, sampleSize));
    }
}

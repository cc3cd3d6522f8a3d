package org.sparkdnn.run;

import java.util.Arrays;
import java.util.Optional;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.metrics.Evaluator;

/**
 * What is evaluated after every epoch, in inference mode: the validation split (for early stopping, keep-best and
 * the epoch line) and a fixed sample of the training split (for the report's train accuracy curve).
 */
record EpochEvaluation(Evaluator evaluator, Optional<ExampleMatrix> validation, Optional<ExampleMatrix> trainSample) {

    /**
     * @param sampleSize {@code training.trainMetricsExamples}: the first n rows of epoch 0's permutation (sorted), the
     *                   whole split when it is smaller, none when 0
     */
    static EpochEvaluation of(Evaluator evaluator, Optional<ExampleMatrix> validation, ExampleMatrix train,
                              BatchPlan plan, int sampleSize) {
        if (sampleSize == 0) {
            return new EpochEvaluation(evaluator, validation, Optional.empty());
        }
        if (sampleSize >= train.count()) {
            return new EpochEvaluation(evaluator, validation, Optional.of(train));
        }
        int[] rows = Arrays.copyOf(plan.permutation(0), sampleSize);
        Arrays.sort(rows);
        return new EpochEvaluation(evaluator, validation, Optional.of(train.rows(rows)));
    }
}

package org.sparkdnn.run;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.data.Splits;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.EngineInput;
import org.sparkdnn.engine.ExecutorData;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;
import org.sparkdnn.model.IoShape;

/**
 * A run's data as the training run needs it, wherever the rows are: on the driver ({@code data.read: driver}, the
 * {@link Splits} as matrices) or on the executors ({@code data.read: executors}, an {@link ExecutorData}).
 */
interface TrainingData {
    int trainCount();

    /** "180" or "no": the validation split's size, for the run's first line. */
    String validationSize();

    String testSize();

    IoShape shape();

    Scaler scaler();

    String trainSha();

    /** The training rows as the engines take them. */
    EngineInput engineInput(RunConfig config);

    Optional<Function<ComputationGraph, Evaluation>> validation(Evaluator evaluator);

    /** The train-metrics sample: the first {@code size} rows of epoch 0's order (sorted), all rows if fewer. */
    Optional<ExampleMatrix> trainSample(BatchPlan plan, int size);

    Evaluation evaluateTrain(Evaluator evaluator, ComputationGraph net);

    Optional<Evaluation> evaluateValidation(Evaluator evaluator, ComputationGraph net);

    Optional<Evaluation> evaluateTest(Evaluator evaluator, ComputationGraph net);

    static TrainingData onDriver(Splits splits, ExampleMatrix train, Optional<ExampleMatrix> validation,
                            Optional<ExampleMatrix> test) {
        return new TrainingData() {
            @Override
            public int trainCount() {
                return train.count();
            }

            @Override
            public String validationSize() {
                return validation.map(m -> "" + m.count()).orElse("no");
            }

            @Override
            public String testSize() {
                return test.map(m -> "" + m.count()).orElse("no");
            }

            @Override
            public IoShape shape() {
                return splits.shape();
            }

            @Override
            public Scaler scaler() {
                return splits.scaler();
            }

            @Override
            public String trainSha() {
                return splits.train().sha256();
            }

            @Override
            public EngineInput engineInput(RunConfig config) {
                return EngineInput.onDriver(config, splits, train);
            }

            @Override
            public Optional<Function<ComputationGraph, Evaluation>> validation(Evaluator evaluator) {
                return validation.map(v -> net -> evaluator.evaluate(net, v));
            }

            @Override
            public Optional<ExampleMatrix> trainSample(BatchPlan plan, int size) {
                if (size == 0) {
                    return Optional.empty();
                }
                if (size >= train.count()) {
                    return Optional.of(train);
                }
                int[] rows = Arrays.copyOf(plan.permutation(0), size);
                Arrays.sort(rows);
                return Optional.of(train.rows(rows));
            }

            @Override
            public Evaluation evaluateTrain(Evaluator evaluator, ComputationGraph net) {
                return evaluator.evaluate(net, train);
            }

            @Override
            public Optional<Evaluation> evaluateValidation(Evaluator evaluator, ComputationGraph net) {
                return validation.map(v -> evaluator.evaluate(net, v));
            }

            @Override
            public Optional<Evaluation> evaluateTest(Evaluator evaluator, ComputationGraph net) {
                return test.map(t -> evaluator.evaluate(net, t));
            }
        };
    }

    static TrainingData onExecutors(ExecutorData data, DataType type) {
        return new TrainingData() {
            @Override
            public int trainCount() {
                return data.trainCount();
            }

            @Override
            public String validationSize() {
                return data.hasValidation() ? "" + data.validationCount() : "no";
            }

            @Override
            public String testSize() {
                return data.hasTest() ? "" + data.testCount() : "no";
            }

            @Override
            public IoShape shape() {
                return data.shape();
            }

            @Override
            public Scaler scaler() {
                return data.scaler();
            }

            @Override
            public String trainSha() {
                return data.trainSha();
            }

            @Override
            public EngineInput engineInput(RunConfig config) {
                return EngineInput.onExecutors(config, data);
            }

            @Override
            public Optional<Function<ComputationGraph, Evaluation>> validation(Evaluator evaluator) {
                return data.hasValidation() ? Optional.of(net -> data.evaluateValidation(net).orElseThrow())
                        : Optional.empty();
            }

            @Override
            public Optional<ExampleMatrix> trainSample(BatchPlan plan, int size) {
                if (size == 0) {
                    return Optional.empty();
                }
                int[] rows = size >= data.trainCount() ? plan.permutation(0)
                        : Arrays.copyOf(plan.permutation(0), size);
                Arrays.sort(rows);
                return Optional.of(data.trainRows(rows, type));
            }

            @Override
            public Evaluation evaluateTrain(Evaluator evaluator, ComputationGraph net) {
                return data.evaluateTrain(net);
            }

            @Override
            public Optional<Evaluation> evaluateValidation(Evaluator evaluator, ComputationGraph net) {
                return data.evaluateValidation(net);
            }

            @Override
            public Optional<Evaluation> evaluateTest(Evaluator evaluator, ComputationGraph net) {
                return data.evaluateTest(net);
            }
        };
    }
}

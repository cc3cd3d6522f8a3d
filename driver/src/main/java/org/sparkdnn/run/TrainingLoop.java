package org.sparkdnn.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;
import org.sparkdnn.config.TrainingConfig;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.engine.StepEngine;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;
import org.sparkdnn.metrics.MetricsLog;

/**
 * Epochs over the global batch sequence: one engine step per batch, the divergence guard after every step, step and
 * gradient-norm records, validation and early stopping after every epoch.
 */
final class TrainingLoop {
    private final TrainingConfig config;
    private final BatchPlan plan;
    private final StepEngine engine;
    private final Evaluator evaluator;
    private final Optional<ExampleMatrix> validation;
    private final ISchedule learningRate;
    private final MetricsLog metrics;
    private final Progress progress;
    private final LongSupplier nanoClock;

    TrainingLoop(TrainingConfig config, BatchPlan plan, StepEngine engine, Evaluator evaluator,
                 Optional<ExampleMatrix> validation, ISchedule learningRate, MetricsLog metrics, Progress progress,
                 LongSupplier nanoClock) {
        this.config = config;
        this.plan = plan;
        this.engine = engine;
        this.evaluator = evaluator;
        this.validation = validation;
        this.learningRate = learningRate;
        this.metrics = metrics;
        this.progress = progress;
        this.nanoClock = nanoClock;
    }

    /** What the loop did. */
    record Result(long steps, int epochs, long examples, double trainSeconds, boolean stoppedEarly, int bestEpoch) {
    }

    Result run() {
        EarlyStopping early = new EarlyStopping(config.patience(), config.minDelta());
        INDArray bestParams = null;
        long step = 0;
        long examples = 0;
        long trainNanos = 0;
        int epochsDone = 0;
        boolean stoppedEarly = false;
        for (int epoch = 0; epoch < config.epochs() && !stepLimitReached(step); epoch++) {
            List<int[]> batches = plan.batches(epoch);
            double lossSum = 0;
            long epochExamples = 0;
            for (int b = 0; b < batches.size() && !stepLimitReached(step); b++) {
                int[] rows = batches.get(b);
                long start = nanoClock.getAsLong();
                double loss = trainStep(epoch, b, rows, step);
                trainNanos += nanoClock.getAsLong() - start;
                step++;
                examples += rows.length;
                epochExamples += rows.length;
                lossSum += loss * rows.length;
                double rate = examples / (trainNanos / 1e9);
                if (step % config.logEvery() == 0) {
                    metrics.write(record("step", step, epoch, Map.of("loss", loss,
                            "learningRate", learningRate.valueAt((int) step - 1, epoch), "examplesPerSecond", rate)));
                }
                progress.step(epoch, step, b + 1, batches.size(), loss, rate);
            }
            engine.endEpoch(epoch);
            if (epochExamples == 0) {
                break;
            }
            if (epochExamples == countRows(batches)) {
                epochsDone++;
            }
            double trainLoss = lossSum / epochExamples;
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("trainLoss", trainLoss);
            String line = "";
            if (validation.isPresent()) {
                Evaluation v = evaluator.evaluate(engine.network(), validation.get());
                fields.put("validation", v.toMap());
                line = String.format("  validation loss %.4f%s", v.loss(),
                        v.accuracy().isPresent() ? String.format("  accuracy %.4f", v.accuracy().getAsDouble()) : "");
                if (early.record(epoch, v.loss()) && early.enabled()) {
                    bestParams = engine.network().params().dup();
                }
            }
            metrics.write(record("epoch", step, epoch, fields));
            progress.epoch(epoch, step, trainLoss, line);
            if (early.shouldStop()) {
                progress.line(String.format("early stopping after epoch %d: validation loss has not improved for %d "
                        + "epochs; restoring epoch %d (loss %.4f)", epoch + 1, config.patience(), early.bestEpoch() + 1,
                        early.bestLoss()));
                stoppedEarly = true;
                break;
            }
        }
        if (bestParams != null) {
            engine.network().setParams(bestParams);
        }
        return new Result(step, epochsDone, examples, trainNanos / 1e9, stoppedEarly, early.bestEpoch());
    }

    private static long countRows(List<int[]> batches) {
        long n = 0;
        for (int[] b : batches) {
            n += b.length;
        }
        return n;
    }

    private boolean stepLimitReached(long step) {
        return config.maxSteps() > 0 && step >= config.maxSteps();
    }

    private double trainStep(int epoch, int batch, int[] rows, long step) {
        boolean norms = config.gradientNormsEvery() > 0 && step % config.gradientNormsEvery() == 0;
        if (norms) {
            engine.captureGradientNorms();
        }
        double loss = engine.step(epoch, batch, rows);
        Optional<Map<String, Double>> layerNorms = engine.lastGradientNorms();
        layerNorms.ifPresent(n -> metrics.write(record("gradientNorms", step + 1, epoch, Map.of("norms", n))));
        DivergenceGuard.check(engine.network(), loss, step + 1, epoch, layerNorms);
        return loss;
    }

    private static Map<String, Object> record(String type, long step, int epoch, Map<String, ?> fields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("step", step);
        m.put("epoch", epoch + 1);
        m.putAll(fields);
        return m;
    }
}

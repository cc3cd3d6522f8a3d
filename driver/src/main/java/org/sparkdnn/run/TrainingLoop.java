package org.sparkdnn.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.schedule.ISchedule;
import org.sparkdnn.config.TrainingConfig;
import org.sparkdnn.console.Progress;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.engine.EpochEngine;
import org.sparkdnn.engine.StepEngine;
import org.sparkdnn.metrics.ActivationStats;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.MetricsLog;

/**
 * Epochs over the global batch sequence from a start cursor (0/0, or a checkpoint's): one engine step per batch, the
 * divergence guard after every step, step and gradient-norm records, checkpoints by policy, validation and early
 * stopping after every epoch.
 */
final class TrainingLoop {
    private final TrainingConfig config;
    private final BatchPlan plan;
    private final StepEngine engine;
    private final EpochEvaluation evaluation;
    private final ISchedule learningRate;
    private final MetricsLog metrics;
    private final Progress progress;
    private final Checkpointer checkpointer;
    private final LongSupplier nanoClock;
    private final EarlyStopping early;
    private Optional<INDArray> bestParams = Optional.empty();
    private long lastActivations = -1; // the step of the last activations record

    TrainingLoop(TrainingConfig config, BatchPlan plan, StepEngine engine, EpochEvaluation evaluation,
                 ISchedule learningRate, MetricsLog metrics, Progress progress, Checkpointer checkpointer,
                 LongSupplier nanoClock) {
        this.config = config;
        this.plan = plan;
        this.engine = engine;
        this.evaluation = evaluation;
        this.learningRate = learningRate;
        this.metrics = metrics;
        this.progress = progress;
        this.checkpointer = checkpointer;
        this.nanoClock = nanoClock;
        this.early = new EarlyStopping(config.patience(), config.minDelta());
    }

    /** Where training starts: step count and data cursor (epoch, next batch), plus early-stopping state. */
    record Start(long step, int epoch, int batch, Map<String, Double> earlyStopping, Optional<INDArray> bestParams) {
        static Start fresh() {
            return new Start(0, 0, 0, Map.of(), Optional.empty());
        }
    }

    /**
     * What the loop did.
     *
     * @param bestEpoch      0-based; -1 without one
     * @param deliveredEpoch the epoch (1-based) whose parameters the run ends with: its best one, or its last (the
     *                       one a step limit stopped inside counts)
     * @param last           when the run delivers its best epoch instead of its last state: that state's epoch
     *                       (1-based) and validation metrics
     */
    record Result(long steps, int epochs, long examples, double trainSeconds, boolean stoppedEarly, int bestEpoch,
                  int deliveredEpoch, Optional<LastEpoch> last) {
    }

    /** The last state trained, when the run delivers an earlier, better one. */
    record LastEpoch(int epoch, Map<String, Object> validation) {
    }

    Result run(Start start) {
        early.restore(start.earlyStopping());
        bestParams = start.bestParams();
        long step = start.step();
        long examples = 0;
        long trainNanos = 0;
        int epoch = start.epoch();
        int batch = start.batch();
        long recordExamples = 0;
        long recordNanos = 0;
        boolean stoppedEarly = early.shouldStop();
        while (epoch < config.epochs() && !stoppedEarly && !stepLimitReached(step)) {
            List<int[]> batches = plan.batches(epoch);
            double lossSum = 0;
            long epochExamples = 0;
            if (engine instanceof EpochEngine epochEngine) {
                // DL4J's trainers: one fit per epoch; checkpoints are written at epoch boundaries only
                if (batch > 0 && batch < batches.size()) {
                    throw new IllegalStateException("an epoch engine cannot resume inside an epoch (batch " + batch + ")");
                }
                if (batch == 0) {
                    long begin = nanoClock.getAsLong();
                    double loss = epochEngine.fitEpoch(epoch, batches);
                    trainNanos += nanoClock.getAsLong() - begin;
                    int n = batches.stream().mapToInt(b -> b.length).sum();
                    step += batches.size();
                    examples += n;
                    epochExamples = n;
                    lossSum = loss * n;
                    double epochRate = n / ((nanoClock.getAsLong() - begin) / 1e9);
                    afterEpochFit(epoch, step, loss, examples / (trainNanos / 1e9), epochRate, trainNanos / 1e9);
                    progress.step(epoch, step, batches.size(), batches.size(), loss, examples / (trainNanos / 1e9));
                    batch = batches.size();
                    checkpointer.afterStep(engine::network, state(step, epoch, batch, null), true);
                }
            }
            for (; batch < batches.size() && !stepLimitReached(step); batch++) {
                int[] rows = batches.get(batch);
                long begin = nanoClock.getAsLong();
                double loss = trainStep(epoch, batch, rows, step);
                trainNanos += nanoClock.getAsLong() - begin;
                step++;
                examples += rows.length;
                epochExamples += rows.length;
                lossSum += loss * rows.length;
                double rate = examples / (trainNanos / 1e9);
                if (step % config.logEvery() == 0) {
                    metrics.write(record("step", step, epoch, Map.of("loss", loss,
                            "learningRate", learningRate.valueAt((int) step - 1, epoch), "examplesPerSecond", rate,
                            "recentExamplesPerSecond", (examples - recordExamples) / ((trainNanos - recordNanos) / 1e9),
                            "trainSeconds", trainNanos / 1e9)));
                    recordExamples = examples;
                    recordNanos = trainNanos;
                }
                progress.step(epoch, step, batch + 1, batches.size(), loss, rate);
                checkpointer.afterStep(engine::network, state(step, epoch, batch + 1, null),
                        batch + 1 == batches.size());
            }
            engine.endEpoch(epoch);
            DivergenceGuard.checkParameters(engine.network(), step, epoch);
            if (batch < batches.size()) {
                break; // the step limit ended training inside this epoch
            }
            Double validationLoss = endOfEpoch(epoch, step, epochExamples > 0 ? lossSum / epochExamples : null,
                    examples / (trainNanos / 1e9), trainNanos / 1e9);
            stoppedEarly = early.shouldStop();
            epoch++;
            batch = 0;
            checkpointer.afterEpoch(engine.network(), state(step, epoch, 0, validationLoss));
        }
        if (config.activationStatsEvery() > 0 && lastActivations != step) {
            activations(step, Math.max(0, (batch == 0 ? epoch : epoch + 1) - 1)); // and after the last step
        }
        // the last parameters: a longer run (a promoted sweep trial, more epochs) continues from them
        checkpointer.atEnd(engine.network(), state(step, epoch, batch, null));
        Optional<Map<String, Object>> last = Optional.empty();
        if (keepsBest(epoch, batch)) {
            last = evaluation.validation().map(v -> v.apply(engine.network()).toMap());
            progress.line(String.format(stoppedEarly
                    ? "early stopping: validation loss has not improved for %d epochs; restoring epoch %d (loss %.4f)"
                    : "end of training (patience %d): restoring the best epoch, %d (validation loss %.4f)",
                    config.patience(), early.bestEpoch() + 1, early.bestLoss()));
            engine.network().setParams(bestParams.orElseThrow());
        }
        int lastEpoch = batch == 0 ? epoch : epoch + 1;
        return new Result(step, epoch, examples, trainNanos / 1e9, stoppedEarly, early.bestEpoch(),
                last.isPresent() ? early.bestEpoch() + 1 : lastEpoch, last.map(v -> new LastEpoch(lastEpoch, v)));
    }

    /**
     * With early stopping on, a run delivers its best epoch's parameters (lowest validation loss), whether it stopped
     * early or ran out of epochs — unless the last state trained is that epoch's.
     */
    private boolean keepsBest(int epoch, int batch) {
        return early.enabled() && bestParams.isPresent() && !(batch == 0 && early.bestEpoch() == epoch - 1);
    }

    private Checkpointer.State state(long step, int epoch, int batch, Double validationLoss) {
        return new Checkpointer.State(step, epoch, batch, validationLoss, early.state(), bestParams);
    }

    /** Validation, early stopping, the epoch record; returns the validation loss if there is a validation split. */
    private Double endOfEpoch(int epoch, long step, Double trainLoss, double examplesPerSecond, double trainSeconds) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("trainSeconds", trainSeconds);
        if (trainLoss != null) {
            fields.put("trainLoss", trainLoss);
        }
        evaluation.trainSample().ifPresent(sample ->
                fields.put("train", evaluation.evaluator().evaluate(engine.network(), sample).toMap()));
        Optional<Evaluation> validation = evaluation.validation().map(v -> v.apply(engine.network()));
        validation.ifPresent(v -> {
            fields.put("validation", v.toMap());
            if (early.record(epoch, v.loss()) && early.enabled()) {
                bestParams = Optional.of(engine.network().params().dup());
            }
        });
        metrics.write(record("epoch", step, epoch, fields));
        progress.epoch(epoch, step, trainLoss == null ? Double.NaN : trainLoss, validation, examplesPerSecond);
        return validation.map(Evaluation::loss).orElse(null);
    }

    /** An epoch engine's records and checks, once per epoch (the per-step ones of the step engines). */
    /** The statistics of every layer's output on the fixed sample, with the parameters after {@code step} steps. */
    private void activations(long step, int epoch) {
        evaluation.activationSample().ifPresent(sample -> metrics.write(record("activations", step, epoch,
                Map.of("layers", ActivationStats.perLayer(engine.network(), sample.features())))));
        lastActivations = step;
    }

    private void afterEpochFit(int epoch, long step, double loss, double rate, double epochRate,
                               double trainSeconds) {
        if (config.activationStatsEvery() > 0) {
            activations(step, epoch);
        }
        Map<String, Double> norms = engine.gradientNorms();
        if (config.gradientNormsEvery() > 0) {
            metrics.write(record("gradientNorms", step, epoch, Map.of("norms", norms)));
        }
        metrics.write(record("step", step, epoch, Map.of("loss", loss,
                "learningRate", learningRate.valueAt((int) step - 1, epoch), "examplesPerSecond", rate,
                "recentExamplesPerSecond", epochRate, "trainSeconds", trainSeconds)));
        DivergenceGuard.check(engine::network, loss, step, epoch, norms);
    }

    private boolean stepLimitReached(long step) {
        return config.maxSteps() > 0 && step >= config.maxSteps();
    }

    private double trainStep(int epoch, int batch, int[] rows, long step) {
        if (config.activationStatsEvery() > 0 && step % config.activationStatsEvery() == 0) {
            activations(step, epoch);
        }
        double loss = engine.step(epoch, batch, rows);
        Map<String, Double> norms = engine.gradientNorms();
        if (config.gradientNormsEvery() > 0 && step % config.gradientNormsEvery() == 0) {
            metrics.write(record("gradientNorms", step + 1, epoch, Map.of("norms", norms)));
        }
        DivergenceGuard.check(engine::network, loss, step + 1, epoch, norms);
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

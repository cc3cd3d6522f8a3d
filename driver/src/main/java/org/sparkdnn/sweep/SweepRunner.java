package org.sparkdnn.sweep;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.MetricScope;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.SchedulerType;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;
import org.sparkdnn.run.TrainingRun;

/**
 * Runs a sweep to its end: asks {@link Asha} for the jobs its results allow, trains up to {@code parallelTrials} of
 * them at once (a thread each; a trial is a normal {@link TrainingRun} in {@code trials/<id>/}, a promoted trial
 * continuing from its own last checkpoint), records each result in {@code sweep.json}, and finally writes the
 * leaderboard, {@code best.yaml} and the report. A failed trial is recorded with its error and the sweep goes on.
 */
public final class SweepRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SweepRunner.class);
    private final SweepSpec spec;
    private final Storage storage;
    private final PrintStream console;
    private final LongSupplier nanoClock;
    private final String outputDir;
    private final ConfigLoader loader = new ConfigLoader();
    private final Optional<JavaSparkContext> spark;

    public SweepRunner(SweepSpec spec, Storage storage, PrintStream console, LongSupplier nanoClock,
                       Optional<JavaSparkContext> spark) {
        this.spec = spec;
        this.storage = storage;
        this.console = console;
        this.nanoClock = nanoClock;
        this.outputDir = spec.config().output().dir();
        this.spark = spark;
    }

    /** The Spark application the sweep's distributed trials share, if any trial uses a distributed engine. */
    public static Optional<JavaSparkContext> sparkFor(SweepSpec spec) {
        TrialConfigs configs = new TrialConfigs(spec, new ConfigLoader(), spec.config().output().dir());
        List<RunConfig> valid = new ArrayList<>();
        for (Trial t : spec.trials()) {
            try {
                valid.add(configs.config(t, 1));
            } catch (ConfigException invalid) {
                // recorded as the trial's failure when it runs
            }
        }
        return SweepSpark.start(spec, valid);
    }

    /** Runs (or resumes) the sweep; returns the leaderboard. */
    public Leaderboard run(boolean retryFailed) throws IOException, InterruptedException {
        storage.mkdirs(outputDir);
        List<Trial> trials = spec.trials();
        Map<String, Trial> byId = new LinkedHashMap<>();
        trials.forEach(t -> byId.put(t.id(), t));
        List<Integer> rungs = Asha.rungs(spec.config().scheduler(), spec.maxResource());
        SweepState state = SweepState.open(storage, loader.json(), outputDir, spec.sha256());
        if (state.resumed()) {
            console.printf("resuming the sweep in %s: %d jobs already done%n", outputDir, state.records().size());
        }
        if (retryFailed) {
            console.printf("retrying %d failed jobs%n", state.forgetFailures());
        }
        TrialConfigs configs = new TrialConfigs(spec, loader, outputDir);
        console.printf("sweep %s: %d trials (%s search), rungs %s epochs (%s), %s %s at each trial's %s epoch, %d at "
                + "once%n", spec.source(), trials.size(), spec.config().search().type().key(), rungs,
                spec.config().scheduler().type().key(), spec.config().scheduler().mode(),
                spec.config().scheduler().metric(), spec.scope().key(), spec.config().parallelTrials());
        int parallel = spec.config().parallelTrials();
        long started = nanoClock.getAsLong();
        double busy = 0;
        ExecutorService pool = Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "sweep-trial");
            t.setDaemon(true);
            return t;
        });
        try {
            CompletionService<JobRecord> done = new ExecutorCompletionService<>(pool);
            Set<Asha.Job> running = new HashSet<>();
            while (true) {
                Asha.Plan plan = decide(trials, rungs, state);
                for (Asha.Job job : plan.runnable()) {
                    if (running.size() < parallel && running.add(job)) {
                        Trial trial = byId.get(job.trial());
                        done.submit(() -> train(configs, trial, job.rung(), rungs.get(job.rung())));
                    }
                }
                if (running.isEmpty()) {
                    break;
                }
                JobRecord record = take(done, running);
                running.remove(record.job());
                busy += record.wallSeconds();
                state.add(record);
                report(record, state.records().size());
            }
        } finally {
            pool.shutdownNow();
        }
        Leaderboard board = Leaderboard.of(spec, trials, decide(trials, rungs, state), state.records());
        board.write(storage, loader, outputDir, configs);
        writeSummary(board, rungs, state, seconds(started), busy);
        new SweepReport(loader.json()).write(storage, outputDir, spec, board, trials, configs);
        board.print(console, outputDir);
        return board;
    }

    private Asha.Plan decide(List<Trial> trials, List<Integer> rungs, SweepState state) {
        List<String> ids = trials.stream().map(Trial::id).toList();
        int eta = spec.config().scheduler().reductionFactor();
        boolean max = spec.config().scheduler().maximise();
        return spec.config().scheduler().type() == SchedulerType.HYPERBAND
                ? Hyperband.decide(ids, rungs, eta, max, state.outcomes())
                : Asha.decide(ids, rungs, eta, max, state.outcomes());
    }

    private JobRecord take(CompletionService<JobRecord> done, Set<Asha.Job> running) throws InterruptedException {
        while (true) {
            Future<JobRecord> f = done.poll(60, TimeUnit.SECONDS);
            if (f == null) {
                LOG.info("waiting for {} running trial(s): {}", running.size(), running);
                continue;
            }
            try {
                return f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("a trial's job failed outside its training run", e.getCause());
            }
        }
    }

    /** One job on a pool thread; every failure of the trial itself becomes its record. */
    private JobRecord train(TrialConfigs configs, Trial trial, int rung, int epochs) {
        long start = nanoClock.getAsLong();
        try {
            RunConfig config = configs.config(trial, epochs);
            spark.ifPresent(sc -> sc.setLocalProperty("spark.scheduler.pool", trial.id()));
            // the thread's ND4J random state (dropout masks) starts from the same seed whichever thread runs the job
            Nd4j.getRandom().setSeed(BatchPlan.epochSeed(config.training().seed(), epochs));
            PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
            Map<String, Object> summary = new TrainingRun(config, storage, quiet, nanoClock, spark).execute();
            if (((Number) summary.get("epochs")).intValue() > epochs) {
                throw new IllegalStateException(configs.trialDir(trial) + " holds checkpoints trained past this rung ("
                        + summary.get("epochs") + " > " + epochs + " epochs): the directory belongs to another sweep; "
                        + "use a new --output");
            }
            Reading m = reading(summary, spec.config().scheduler().metric(), spec.scope());
            boolean missing = Double.isNaN(m.value());
            return new JobRecord(trial.id(), rung, epochs, missing ? null : m.value(), missing ? null : m.epoch(),
                    missing, missing ? "no " + spec.config().scheduler().metric() + " in summary.json" : null,
                    seconds(start), ((Number) summary.get("steps")).longValue(),
                    ((Number) summary.get("stepsThisRun")).longValue(), (String) summary.get("paramsSha256"));
        } catch (RuntimeException | IOException | OutOfMemoryError | StackOverflowError | LinkageError e) {
            LOG.warn("trial {} failed at {} epochs: {}", trial.id(), epochs, e.toString());
            return new JobRecord(trial.id(), rung, epochs, null, null, true, String.valueOf(e.getMessage()),
                    seconds(start), 0, 0, null);
        }
    }

    /** A trial's metric value and the epoch (1-based) it belongs to. */
    record Reading(double value, int epoch) {
    }

    /**
     * The metric of a finished run as the sweep counts it. A run's summary holds the metrics of the parameters it
     * delivers: with early stopping its best epoch's ({@code deliveredEpoch}), and then its last epoch's validation
     * metrics apart ({@code last}). Scope {@code best} reads the delivered ones; {@code last} the last epoch's.
     */
    static Reading reading(Map<String, Object> summary, String metric, MetricScope scope) {
        if (scope == MetricScope.LAST && summary.get("last") instanceof Map<?, ?> last) {
            @SuppressWarnings("unchecked")
            Map<String, Object> lastEpoch = (Map<String, Object>) last;
            return new Reading(RunData.number(lastEpoch, metric), ((Number) last.get("epoch")).intValue());
        }
        return new Reading(RunData.number(summary, metric), ((Number) summary.get("deliveredEpoch")).intValue());
    }

    /**
     * {@code summary.json} of this attempt: epochs and optimizer steps trained (over all attempts, from sweep.json),
     * and how busy the trial slots were in this attempt (idle slot time = waiting for an earlier trial's result to be
     * counted, or the sweep's tail with fewer jobs than slots).
     */
    private void writeSummary(Leaderboard board, List<Integer> rungs, SweepState state, double wall, double busy)
            throws IOException {
        Map<String, Integer> reached = new LinkedHashMap<>();
        long steps = 0;
        for (JobRecord r : state.records().values()) {
            if (!r.failed()) {
                reached.merge(r.trial(), r.epochs(), Math::max); // a promoted job continues from the last one
            }
            steps += r.trainedSteps();
        }
        long epochs = reached.values().stream().mapToLong(Integer::longValue).sum();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trials", board.rows().size());
        s.put("failed", board.rows().stream().filter(r -> r.status().equals("failed")).count());
        s.put("jobs", state.records().size());
        s.put("epochsTrained", epochs);
        s.put("stepsTrained", steps);
        s.put("fullSearchEpochs", (long) board.rows().size() * rungs.get(rungs.size() - 1));
        s.put("wallSeconds", wall);
        s.put("parallelTrials", spec.config().parallelTrials());
        s.put("slotBusyFraction", wall > 0 ? busy / (wall * spec.config().parallelTrials()) : 0.0);
        board.best().ifPresent(b -> {
            Map<String, Object> best = new LinkedHashMap<>();
            best.put("trial", b.trial());
            best.put("metric", b.metric());
            best.put("epochs", b.epochs());
            best.put("paramsSha256", b.paramsSha256());
            s.put("best", best);
        });
        storage.writeAtomically(outputDir + "/summary.json", loader.json().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(s));
        console.printf("%d epochs trained (a full search: %d), %.1f s, trial slots busy %.0f %% of the time%n", epochs,
                s.get("fullSearchEpochs"), wall, 100 * (double) s.get("slotBusyFraction"));
    }

    private double seconds(long start) {
        return (nanoClock.getAsLong() - start) / 1e9;
    }

    private void report(JobRecord r, int jobsDone) {
        String result = r.failed() ? "FAILED: " + r.error()
                : String.format("%s %.4f (epoch %d)", spec.config().scheduler().metric(), r.metric(), r.metricEpoch());
        console.printf("[%d jobs done] %s  %d epochs  %s  (%.1f s)%n", jobsDone, r.trial(), r.epochs(), result,
                r.wallSeconds());
    }
}

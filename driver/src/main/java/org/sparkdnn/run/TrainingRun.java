package org.sparkdnn.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.checkpoint.Checkpoint;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.checkpoint.ManifestSigner;
import org.sparkdnn.checkpoint.CheckpointWriteException;
import org.sparkdnn.checkpoint.Manifest;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.DataFormat;
import org.sparkdnn.config.DataRead;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.console.Progress;
import org.sparkdnn.console.RunLogFile;
import org.sparkdnn.console.SummaryTable;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.DataLoader;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.Splits;
import org.sparkdnn.engine.Engines;
import org.sparkdnn.engine.ExecutorData;
import org.sparkdnn.engine.StepEngine;
import org.sparkdnn.model.SyncBatchNormalization;
import org.sparkdnn.io.Storage;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;
import org.sparkdnn.metrics.MetricsLog;
import org.sparkdnn.metrics.ParamsHash;
import org.sparkdnn.model.Dl4jMapping;
import org.sparkdnn.model.ModelFactory;
import org.sparkdnn.optimizer.Optimizers;
import org.sparkdnn.report.RunData;
import org.sparkdnn.report.RunImages;
import org.sparkdnn.report.RunReport;
import org.sparkdnn.rows.DistributedRows;
import org.sparkdnn.rows.ParquetRowsReader;

/**
 * A training run from a validated config to its outputs in {@code output.dir}: {@code config.yaml} (the resolved
 * config), {@code metrics.jsonl}, {@code model.zip} (DL4J ModelSerializer, updater included),
 * {@code summary.json}, {@code train.log} (every log line while it ran) and {@code report.html} (also written when
 * the run fails, from the metrics so far).
 */
public final class TrainingRun {
    private RunConfig config; // training.batchSize: all is resolved once the data is read
    private final Storage storage;
    private final PrintStream console;
    private final LongSupplier nanoClock;
    private final ConfigLoader loader = new ConfigLoader();
    private final Optional<JavaSparkContext> sharedSpark;
    private Optional<String> resumeFrom = Optional.empty();
    private Optional<Examples> trainingRows = Optional.empty();
    private Optional<DistributedRows> executorRows = Optional.empty();
    private boolean progressBar;

    public TrainingRun(RunConfig config, Storage storage, PrintStream console, LongSupplier nanoClock) {
        this(config, storage, console, nanoClock, Optional.empty());
    }

    /** @param sharedSpark a Spark context owned by the caller, used instead of starting one */
    public TrainingRun(RunConfig config, Storage storage, PrintStream console, LongSupplier nanoClock,
                       Optional<JavaSparkContext> sharedSpark) {
        this.config = config;
        this.storage = storage;
        this.console = console;
        this.nanoClock = nanoClock;
        this.sharedSpark = sharedSpark;
    }

    public Map<String, Object> execute() throws IOException {
        String out = config.output().dir();
        storage.mkdirs(out);
        Optional<RunLogFile> log = RunLogFile.start(storage, out);
        Map<String, Object> summary;
        try {
            summary = train(out);
        } catch (IOException | RuntimeException | Error e) {
            reportAfterFailure(out, e);
            try {
                closeLog(log);
            } catch (IOException | RuntimeException logFailure) {
                e.addSuppressed(logFailure);
            }
            throw e;
        }
        try {
            closeLog(log);
        } catch (IOException | RuntimeException e) {
            console.println("warning: " + out + "/train.log could not be written (the run's outputs are): " + e);
        }
        return summary;
    }

    private static void closeLog(Optional<RunLogFile> log) throws IOException {
        if (log.isPresent()) {
            log.get().close();
        }
    }

    private Map<String, Object> train(String out) throws IOException {
        long start = nanoClock.getAsLong();
        DataType type = Dl4jMapping.dataType(config.model().dataType());
        if (config.data().read() == DataRead.EXECUTORS || executorRows.isPresent()) {
            Engine engine = config.cluster().engine();
            if (engine == Engine.LOCAL || trainingRows.isPresent()) {
                throw new ConfigException("data.read", "executors needs a distributed "
                        + "cluster.engine (sync, reference, shared, averaging): local trains in the driver's JVM",
                        engine.key());
            }
            try (SparkSession spark = SparkSession.forEngine(config, sharedSpark);
                 ExecutorData data = executorRows.isPresent()
                         ? ExecutorData.of(spark.context(), executorRows.get(), config.data(), config.model())
                         : ExecutorData.read(spark.context(), config.data(), config.model())) {
                return train(out, start, TrainingData.onExecutors(data, type), Optional.of(spark));
            }
        }
        Splits splits;
        if (config.data().format() == DataFormat.PARQUET) {
            // Spark reads the Parquet files, the driver gathers the rows (driver-path engines, or data.read: driver)
            try (SparkSession spark = SparkSession.forReading(config, sharedSpark)) {
                splits = load(new DataLoader(config.data(), config.model().loss(), storage, file -> {
                    try (DistributedRows rows = new ParquetRowsReader(spark.context(), config.data().featuresField(),
                            config.data().labelField()).read(file)) {
                        return rows.examples(file);
                    }
                }).withImageShape(config.model().imageShape()));
            }
        } else {
            splits = load(DataLoader.of(config, storage));
        }
        ExampleMatrix train = matrix(splits.train(), splits, type);
        Optional<ExampleMatrix> validation = splits.validation().map(e -> matrix(e, splits, type));
        Optional<ExampleMatrix> test = splits.test().map(e -> matrix(e, splits, type));
        return train(out, start, TrainingData.onDriver(splits, train, validation, test), Optional.empty());
    }

    private Splits load(DataLoader reader) {
        return trainingRows.isPresent() ? reader.load(trainingRows.get()) : reader.load();
    }

    /** The lease, then the run on {@code data}; {@code spark} when it is already running (executor data). */
    private Map<String, Object> train(String out, long start, TrainingData data, Optional<SparkSession> spark)
            throws IOException {
        if (config.training().fullBatch()) {
            config = config.withFullBatch(data.trainCount());
            console.println("note: training.batchSize all = " + data.trainCount() + " rows (full-batch gradient descent)");
        }
        BatchPlan plan = BatchPlan.of(config, data.trainCount());
        long totalSteps = plannedSteps(plan);
        String trainSha = data.trainSha();
        CheckpointStore store = new CheckpointStore(checkpointDir(), storage.hadoopConf(), loader.json())
                .signedWith(ManifestSigner.of(config.checkpoint()));
        try {
            store.acquireLease(HexFormat.of().formatHex(new SecureRandom().generateSeed(8)),
                    Checkpointer.LEASE_STALE_MILLIS);
        } catch (IOException e) {
            throw new CheckpointWriteException("cannot take the writer lease of "
                    + store.uri() + " (checkpoint.dir): " + String.valueOf(e).lines().findFirst().orElse(""), e);
        }
        try {
            return train(out, start, data, plan, totalSteps, trainSha, store, spark);
        } finally {
            store.releaseLease();
        }
    }

    private Map<String, Object> train(String out, long start, TrainingData data, BatchPlan plan, long totalSteps,
                                      String trainSha, CheckpointStore store, Optional<SparkSession> running)
            throws IOException {
        long scheduleSteps = config.optimizer().schedule().cycleSteps(plan.batchesPerEpoch(), totalSteps);
        Optional<Checkpoint> resumed = Resume.find(store, resumeFrom, console);
        resumed.ifPresent(c -> Resume.check(c, config, trainSha, loader));
        if (resumed.isPresent()) {
            List<Long> moved = store.abandonAfter(resumed.get().manifest().step());
            if (!moved.isEmpty()) {
                console.println("note: newer checkpoints " + moved + " moved aside as _abandoned-* in " + store.uri()
                        + " (this run continues from step " + resumed.get().manifest().step() + ")");
            }
        }
        ComputationGraph net = batchNormFor(resumed.isPresent() ? Resume.network(resumed.get())
                : new ModelFactory(config.model(), config.optimizer(), config.training().seed(), scheduleSteps)
                        .augmenting(config.data().augment()).build(data.shape(), storage));
        TrainingLoop.Start from = resumed.map(Resume::start).orElse(TrainingLoop.Start.fresh());
        storage.writeAtomically(out + "/config.yaml", loader.toYaml(config).getBytes(StandardCharsets.UTF_8));
        console.printf("training %s: %d train / %s validation / %s test examples, %d parameters, %d steps planned, "
                        + "engine %s%s%n", config.data().train(), data.trainCount(), data.validationSize(),
                data.testSize(), net.numParams(), totalSteps, config.cluster().engine().key(),
                resumed.map(c -> "; resuming " + c.uri() + " at step " + from.step()).orElse(""));
        List<Map<String, Object>> earlierMetrics = List.of();
        if (resumed.isPresent() && storage.exists(out + "/metrics.jsonl")) {
            try (InputStream in = storage.open(out + "/metrics.jsonl")) {
                earlierMetrics = MetricsLog.carryOver(in, from.step(), loader.json());
            }
            storage.copy(out + "/metrics.jsonl", out + "/metrics.before-resume-" + System.currentTimeMillis() + ".jsonl");
        }
        Evaluator evaluator = new Evaluator(config.model().loss());
        TrainingLoop.Result result;
        Map<String, Object> engineStats;
        Map<String, Object> checkpointStats;
        try (SparkSession spark = running.map(SparkSession::borrowed)
                     .orElseGet(() -> SparkSession.forEngine(config, sharedSpark));
             StepEngine engine = Engines.create(config, net, data.engineInput(config), spark::context);
             MetricsLog metrics = new MetricsLog(storage.create(out + "/metrics.jsonl"), loader.json());
             Checkpointer checkpointer = new Checkpointer(config.checkpoint(), Optional.of(store),
                     manifestTemplate(data.trainCount(), trainSha), nanoClock);
             Progress progress = Progress.create(console, progressBar, nanoClock, config.training().epochs(),
                     from.step(), totalSteps)) {
            spark.describeUi().ifPresent(console::println);
            earlierMetrics.forEach(metrics::write);
            resumed.ifPresent(c -> {
                checkpointer.resumedAt(from.step());
                metrics.write(Map.of("type", "resume", "step", from.step(), "from", c.uri()));
            });
            EpochEvaluation evaluation = EpochEvaluation.of(evaluator, data, plan,
                    config.training().trainMetricsExamples(), config.training().activationStatsEvery() > 0);
            result = new TrainingLoop(config.training(), plan, engine, evaluation,
                    Optimizers.schedule(config.optimizer().learningRate(), config.optimizer().schedule(), scheduleSteps),
                    metrics, progress, checkpointer, nanoClock).run(from);
            engineStats = engine.stats();
            checkpointStats = checkpointer.stats();
        }
        Map<String, Object> summary = summary(net, result, evaluator, data, start);
        summary.put("stepsThisRun", result.steps() - from.step());
        summary.put("msPerStep", result.examples() > 0 ? result.trainSeconds() * 1000 / (result.steps() - from.step()) : 0.0);
        summary.put("engineStats", engineStats);
        summary.put("checkpoints", checkpointStats);
        resumed.ifPresent(c -> summary.put("resumedFrom", c.uri()));
        storage.writeAtomically(out + "/model.zip", Checkpointer.serialise(net));
        Optional<Map<String, Object>> images = RunImages.of(net, data.trainSample(plan, RunImages.EXAMPLES));
        if (images.isPresent()) {
            storage.writeAtomically(out + "/" + RunImages.FILE, loader.json().writeValueAsBytes(images.get()));
        }
        RunScaler.write(storage, out, data.scaler());
        storage.writeAtomically(out + "/summary.json", loader.json().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(summary));
        writeReport(out);
        SummaryTable.print(console, summary, out);
        return summary;
    }

    /**
     * Batch normalization as the engine trains it. The exact engines ({@code local}, {@code sync}, {@code reference})
     * get the synchronized BatchNorm, which normalises by the whole global batch's statistics however it is sharded
     * (on one process it is DL4J's own math); DL4J's trainers ({@code shared}, {@code averaging}) keep DL4J's
     * per-replica BatchNormalization, approximate by design.
     */
    private ComputationGraph batchNormFor(ComputationGraph net) {
        Engine engine = config.cluster().engine();
        if (engine != Engine.LOCAL && engine != Engine.SYNC && engine != Engine.REFERENCE) {
            ComputationGraph plain = SyncBatchNormalization.toDl4j(net);
            if (plain != net) {
                console.println("note: engine " + engine.key() + " trains the synchronized BatchNorm layers of this "
                        + "model as DL4J's own BatchNormalization: each replica normalises by its own minibatch");
            }
            return plain;
        }
        List<String> replaced = new ArrayList<>();
        ComputationGraph sync;
        try {
            sync = SyncBatchNormalization.synchronize(net, replaced);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("model", e.getMessage() + "; engine " + engine.key() + " trains BatchNorm "
                    + "exactly only there (or use engine shared/averaging)", "BatchNormalization");
        }
        if (!replaced.isEmpty() && config.model().dl4j() != null) {
            console.println("note: the BatchNormalization layers " + replaced + " of " + config.model().dl4j()
                    + " run as synchronized BatchNorm (the same math, from the whole global batch's statistics, so "
                    + "that engine " + engine.key() + " trains them exactly)");
        }
        return sync;
    }

    private void writeReport(String out) throws IOException {
        String html = new RunReport(loader.json()).render(List.of(RunData.load(storage, out)));
        storage.writeAtomically(out + "/report.html", html.getBytes(StandardCharsets.UTF_8));
    }

    /** The report of a failed run (e.g. diverged: its gradient norms are the diagnosis), if it got to train. */
    private void reportAfterFailure(String out, Throwable failure) {
        try {
            if (storage.exists(out + "/metrics.jsonl")) {
                writeReport(out);
                console.println("report of the run so far: " + out + "/report.html");
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** Draw a live progress bar (a terminal) instead of plain progress lines. */
    public TrainingRun showingProgressBar(boolean bar) {
        this.progressBar = bar;
        return this;
    }

    /** Trains on these rows (already read, e.g. from a DataFrame) instead of reading {@code data.train}. */
    public TrainingRun withTrainingRows(Examples rows) {
        this.trainingRows = Optional.of(rows);
        return this;
    }

    /**
     * Trains on these rows, cached on the executors of the shared context (e.g. a DataFrame's), instead of reading
     * {@code data.train}: engines sync and reference, the driver never holds them.
     */
    public TrainingRun withExecutorRows(DistributedRows rows) {
        this.executorRows = Optional.of(rows);
        return this;
    }

    /** Continue from this checkpoint directory (else: the newest valid one in checkpoint.dir, if any). */
    public TrainingRun resumingFrom(String checkpointUri) {
        this.resumeFrom = Optional.of(checkpointUri);
        return this;
    }

    private String checkpointDir() {
        return config.checkpoint().directory().orElse(config.output().dir() + "/checkpoints");
    }

    private Manifest manifestTemplate(int trainCount, String trainSha) {
        Map<String, String> versions = Versions.all();
        Map<String, String> data = new LinkedHashMap<>();
        data.put("trainExamples", String.valueOf(trainCount));
        data.put("trainSha256", trainSha);
        return new Manifest(Manifest.FORMAT, 0, 0, 0, config.training().seed(), null, Map.of(),
                loader.toTree(config), versions, data, Map.of());
    }

    private ExampleMatrix matrix(Examples e, Splits splits, DataType type) {
        return new ExampleMatrix(e, config.model().loss(), splits.classes(), type);
    }

    private long plannedSteps(BatchPlan plan) {
        long all = (long) plan.batchesPerEpoch() * config.training().epochs();
        return config.training().maxSteps() > 0 ? Math.min(all, config.training().maxSteps()) : all;
    }

    private Map<String, Object> summary(ComputationGraph net, TrainingLoop.Result r, Evaluator evaluator,
                                        TrainingData data, long start) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("engine", config.cluster().engine().key());
        s.put("workers", config.cluster().engine() == Engine.LOCAL ? 1 : config.cluster().workers());
        s.put("steps", r.steps());
        s.put("epochs", r.epochs());
        s.put("examples", r.examples());
        s.put("stoppedEarly", r.stoppedEarly());
        if (r.bestEpoch() >= 0) {
            s.put("bestEpoch", r.bestEpoch() + 1);
        }
        // the metrics below are of the delivered parameters: the best epoch's when early stopping restored them
        s.put("deliveredEpoch", r.deliveredEpoch());
        r.last().ifPresent(last -> s.put("last", Map.of("epoch", last.epoch(), "validation", last.validation())));
        s.put("trainSeconds", r.trainSeconds());
        s.put("examplesPerSecond", r.trainSeconds() > 0 ? r.examples() / r.trainSeconds() : 0.0);
        s.put("parameters", net.numParams());
        s.put("paramsSha256", ParamsHash.sha256(net.params()));
        s.put("train", data.evaluateTrain(evaluator, net).toMap());
        data.evaluateValidation(evaluator, net).ifPresent(v -> s.put("validation", v.toMap()));
        data.evaluateTest(evaluator, net).ifPresent(t -> s.put("test", t.toMap()));
        s.put("wallSeconds", (nanoClock.getAsLong() - start) / 1e9);
        s.put("versions", Map.of("java", System.getProperty("java.version"), "dl4j", Versions.dl4j()));
        return s;
    }


    static ObjectMapper json() {
        return new ConfigLoader().json();
    }
}

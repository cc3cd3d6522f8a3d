package org.sparkdnn.ml;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.Examples;
import org.sparkdnn.io.Storage;
import org.sparkdnn.rows.DataFrameRowsReader;
import org.sparkdnn.rows.DistributedRows;
import org.sparkdnn.run.TrainingRun;

/**
 * What {@link DnnClassifier} and {@link DnnRegressor} share: the run config as ML params — a YAML config (inline or a
 * file/Hadoop URI), {@code --set}-style overrides, and the common settings as typed params — and {@code fit}, which
 * trains with any engine (local, sync, reference, shared, averaging) on the Spark session the DataFrame belongs to.
 * With the distributed engines the selected feature and label columns stay on the executors (cached there as row
 * blocks, ids in the DataFrame's order; the driver plans and holds one byte and one int per row for a held-out
 * split); {@code local} collects them to the driver, as a file would be read there. The run writes its usual outputs (model.zip, summary.json, report.html,
 * checkpoints) under {@code outputDir}.
 */
public abstract class DnnEstimator extends Estimator<DnnModel> implements DefaultParamsWritable, PredictionParams {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> labelCol;
    private final Param<String> config;
    private final Param<String> configUri;
    private final StringArrayParam sets;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final DoubleParam learningRate;
    private final LongParam seed;
    private final Param<String> engine;
    private final IntParam workers;
    private final Param<String> outputDir;
    private final Shared shared;

    protected DnnEstimator(String uid) {
        this.uid = uid;
        shared = Shared.of(this, this::setDefault);
        labelCol = new Param<>(this, "labelCol", "label column (classes 0..K-1 for a classifier, numbers for a regressor)");
        config = RedactedParams.yaml(this, "config", "the run config as YAML text (model, optimizer, training, cluster, data "
                + "fractions and scaling; data.train is the DataFrame)");
        configUri = new Param<>(this, "configUri", "a run config YAML file: local path or Hadoop URI (used when "
                + "config is not set)");
        sets = RedactedParams.overrides(this, "sets", "overrides KEY=VALUE applied last, as the CLI's --set");
        epochs = new IntParam(this, "epochs", "training.epochs");
        batchSize = new IntParam(this, "batchSize", "training.batchSize (the global batch)");
        learningRate = new DoubleParam(this, "learningRate", "optimizer.learningRate");
        seed = new LongParam(this, "seed", "training.seed");
        engine = new Param<>(this, "engine", "cluster.engine: local, sync, reference, shared or averaging");
        workers = new IntParam(this, "workers", "cluster.workers");
        outputDir = new Param<>(this, "outputDir", "where each fit's run goes, in a new subdirectory UID-TIME-RANDOM "
                + "(default: a new temporary directory on the driver)");
        setDefault(labelCol, "label");
        setDefault(sets, new String[0]);
    }

    /** The loss when the config names none: softmax cross-entropy for a classifier, L2 for a regressor. */
    protected abstract String defaultLoss();

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Shared shared() {
        return shared;
    }

    public Param<String> labelCol() {
        return labelCol;
    }

    public Param<String> config() {
        return config;
    }

    public Param<String> configUri() {
        return configUri;
    }

    public StringArrayParam sets() {
        return sets;
    }

    public IntParam epochs() {
        return epochs;
    }

    public IntParam batchSize() {
        return batchSize;
    }

    public DoubleParam learningRate() {
        return learningRate;
    }

    public LongParam seed() {
        return seed;
    }

    public Param<String> engine() {
        return engine;
    }

    public IntParam workers() {
        return workers;
    }

    public Param<String> outputDir() {
        return outputDir;
    }

    public DnnEstimator setFeaturesCol(String value) {
        set(featuresCol(), value);
        return this;
    }

    public DnnEstimator setLabelCol(String value) {
        set(labelCol, value);
        return this;
    }

    public DnnEstimator setPredictionCol(String value) {
        set(predictionCol(), value);
        return this;
    }

    public DnnEstimator setConfig(String yaml) {
        set(config, yaml);
        return this;
    }

    public DnnEstimator setConfigUri(String uri) {
        set(configUri, uri);
        return this;
    }

    public DnnEstimator setSets(String... overrides) {
        set(sets, overrides);
        return this;
    }

    public DnnEstimator setEpochs(int value) {
        set(epochs, value);
        return this;
    }

    public DnnEstimator setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    public DnnEstimator setLearningRate(double value) {
        set(learningRate, value);
        return this;
    }

    public DnnEstimator setSeed(long value) {
        set(seed, value);
        return this;
    }

    public DnnEstimator setEngine(String value) {
        set(engine, value);
        return this;
    }

    public DnnEstimator setWorkers(int value) {
        set(workers, value);
        return this;
    }

    public DnnEstimator setOutputDir(String value) {
        set(outputDir, value);
        return this;
    }

    /**
     * The run config of this estimator: the YAML ({@code config}, else {@code configUri}, else defaults), the loss
     * default, the typed params that are set, then {@code sets}; {@code data.train} names the DataFrame.
     */
    public RunConfig runConfig(Storage storage, String output) {
        ConfigLoader loader = new ConfigLoader();
        String source;
        String text;
        if (isDefined(config)) {
            source = "DnnEstimator.config";
            text = getOrDefault(config);
        } else if (isDefined(configUri)) {
            source = getOrDefault(configUri);
            try {
                text = storage.readString(source);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the config " + source, e);
            }
        } else {
            source = "DnnEstimator";
            text = "{}";
        }
        List<String> overrides = new ArrayList<>();
        overrides.add("data.train=dataframe:" + getOrDefault(featuresCol()) + "," + getOrDefault(labelCol));
        ObjectNode tree = loader.tree(source, text.isBlank() ? "{}" : text, List.of());
        if (tree.at("/model/loss").isMissingNode()) {
            overrides.add("model.loss=" + defaultLoss());
        }
        setIfDefined(overrides, epochs, "training.epochs");
        setIfDefined(overrides, batchSize, "training.batchSize");
        setIfDefined(overrides, learningRate, "optimizer.learningRate");
        setIfDefined(overrides, seed, "training.seed");
        setIfDefined(overrides, engine, "cluster.engine");
        setIfDefined(overrides, workers, "cluster.workers");
        overrides.add("output.dir=" + output);
        overrides.addAll(List.of(getOrDefault(sets)));
        return loader.parse(source, text, overrides);
    }

    private <T> void setIfDefined(List<String> overrides, Param<T> param, String key) {
        if (isDefined(param)) {
            overrides.add(key + "=" + getOrDefault(param));
        }
    }

    @Override
    public DnnModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Storage storage = new Storage(jsc.hadoopConfiguration());
        String output;
        try {
            // every fit is a fresh run in its own directory: two fits (CrossValidator's folds, a refit) must never
            // resume from each other's checkpoints
            String run = uid + "-" + LocalDateTime.now().format(DateTimeFormatter
                    .ofPattern("yyyyMMdd-HHmmss")) + "-" + HexFormat.of().formatHex(
                    new SecureRandom().generateSeed(3));
            output = isDefined(outputDir) ? getOrDefault(outputDir) + "/" + run
                    : Files.createTempDirectory("sparkdnn-fit-").toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a temporary output directory", e);
        }
        RunConfig run = runConfig(storage, output);
        if (run.model().loss().isClassification() != isClassifier()) {
            throw new ConfigException("model.loss", getClass().getSimpleName() + " needs a "
                    + (isClassifier() ? "classification loss (softmaxCrossEntropy, bceWithLogits)"
                    : "regression loss (l1, l2)"), run.model().loss());
        }
        String features = getOrDefault(featuresCol());
        String label = getOrDefault(labelCol);
        Engine engine = run.cluster().engine();
        TrainingRun training = new TrainingRun(run, storage, consoleOf(), System::nanoTime, Optional.of(jsc));
        int width;
        if (engine != Engine.LOCAL) {
            // the rows stay on the executors: cached there as blocks, the driver plans
            DistributedRows rows = new DataFrameRowsReader(dataset.toDF().select(features, label))
                    .read("DataFrame columns " + features + ", " + label);
            width = rows.features();
            training.withExecutorRows(rows);
        } else {
            Examples rows = DataFrameRows.read(dataset, features, label);
            width = rows.features();
            training.withTrainingRows(rows);
        }
        Map<String, Object> summary;
        try {
            summary = training.execute();
        } catch (IOException e) {
            throw new UncheckedIOException("training failed: " + e.getMessage(), e);
        }
        DnnModel model = DnnModel.fromRun(uid, storage, output, run.model().loss().name(), width, summary);
        copyValues(model, ParamMap.empty());
        model.setParent(this);
        return model;
    }

    private static PrintStream consoleOf() {
        return System.out;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataFrameRows.checkFeatures(schema, getOrDefault(featuresCol()));
        DataFrameRows.checkNumeric(schema, getOrDefault(labelCol));
        return DnnModel.outputSchema(schema, getOrDefault(predictionCol()),
                isClassifier() ? getOrDefault(probabilityCol()) : null,
                isClassifier() ? getOrDefault(rawPredictionCol()) : null);
    }

    protected abstract boolean isClassifier();

    @Override
    public DnnEstimator copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    static DataType vectorType() {
        return SQLDataTypes.VectorType();
    }
}

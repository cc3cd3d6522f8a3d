package org.sparkdnn.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.DataConfig;
import org.sparkdnn.config.DataFormat;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.DataException;
import org.sparkdnn.engine.SparkRuntime;
import org.sparkdnn.io.Storage;
import org.sparkdnn.ml.DnnModel;
import org.sparkdnn.run.RunScaler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code predict --model RUN/model.zip --data D --output O}: predictions for every row of D, computed on the executors
 * (Spark reads D — CSV as the run read its training data, LibSVM, or Parquet — and the model runs per partition), written
 * as Parquet or CSV. When D has labels, the accuracy (or RMSE) is computed on the executors too.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict every row of a data file with a saved model, on the executors (Spark local mode, or "
                + "spark-submit's --master), and write the predictions as Parquet or CSV.")
final class PredictCommand implements Callable<Integer> {
    enum Format { CSV, LIBSVM, PARQUET }

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model.zip of a run (its "
            + "config.yaml and scaler.json beside it are used).")
    private String model;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Rows to predict: a file or "
            + "directory, local path or Hadoop URI.")
    private String data;

    @Option(names = "--format", paramLabel = "FORMAT", description = "${COMPLETION-CANDIDATES} (default: the "
            + "run's data.format; parquet for .parquet files).")
    private Format format;

    @Option(names = "--features-col", paramLabel = "COLUMN", defaultValue = "features", description = "Parquet: the "
            + "features column (an ML Vector or an array of numbers); without it, every numeric column but "
            + "--label-col (default: ${DEFAULT-VALUE}).")
    private String featuresCol;

    @Option(names = "--label-col", paramLabel = "COLUMN", defaultValue = "label", description = "Parquet: the label "
            + "column, if any (default: ${DEFAULT-VALUE}).")
    private String labelCol;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where the predictions go (a "
            + "directory of part files, as Spark writes them).")
    private String output;

    @Option(names = "--output-format", paramLabel = "FORMAT", defaultValue = "parquet", description = "parquet (label,"
            + " prediction, probability and rawPrediction vectors) or csv (label, prediction, p0..pK-1); default "
            + "${DEFAULT-VALUE}.")
    private String outputFormat;

    @Option(names = "--config", paramLabel = "FILE", description = "The run's config (default: config.yaml beside "
            + "the model).")
    private String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable), e.g. "
            + "cluster.master=local[4].")
    private List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        if (!storage.exists(model)) {
            throw new FileNotFoundException(model + " (a model.zip of a run was expected)");
        }
        String runDir = model.contains("/") ? model.substring(0, model.lastIndexOf('/')) : ".";
        // the model and its run files are read on the driver; the rows are read and predicted by the executors
        // the run's own config.yaml may predate a key that moved; a config given with --config is the user's
        RunConfig run = config != null ? new ConfigLoader().load(storage, config, overrides)
                : new ConfigLoader().loadWritten(storage, runDir + "/config.yaml", overrides);
        if (!outputFormat.equalsIgnoreCase("parquet") && !outputFormat.equalsIgnoreCase("csv")) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--output-format must be parquet or csv, was " + outputFormat);
        }
        if (format == null && run.data().format() == DataFormat.IDX
                && !data.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
            throw new DataException(data, "", "the run's format is IDX, which is read on the driver only: use "
                    + "evaluate, or give --format csv|libsvm|parquet");
        }
        Format in = format != null ? format : data.toLowerCase(Locale.ROOT).endsWith(".parquet") ? Format.PARQUET
                : Format.valueOf(run.data().format().name());
        // Spark SQL rows and ML vectors travel here, not only the trainer's own classes: Kryo without a closed list
        SparkSession spark = SparkSession.builder().config(SparkRuntime.conf(run.cluster(), "sparkdnn predict " + data,
                true)).getOrCreate();
        try {
            DnnModel dnn = DnnModel.fromFiles(storage, model, run.model().loss());
            var scaler = RunScaler.of(storage, runDir, run, System.err);
            if (scaler.isPresent()) {
                dnn = dnn.withScaler(scaler.get());
            }
            int features = dnn.numFeatures();
            Dataset<Row> rows = read(spark, in, run.data(), features);
            boolean labelled = Arrays.asList(rows.columns()).contains("label");
            Dataset<Row> predicted = dnn.setFeaturesCol("features").transform(rows).drop("features");
            predicted.cache();
            long count = predicted.count();
            write(predicted, dnn);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("rows", count);
            result.put("output", output);
            if (labelled) {
                Row r = dnn.isClassifier()
                        ? predicted.agg(functions.avg(functions.when(functions.col("label")
                                .equalTo(functions.col("prediction")), 1.0).otherwise(0.0))).first()
                        : predicted.agg(functions.sqrt(functions.avg(functions.pow(functions.col("label")
                                .minus(functions.col("prediction")), 2)))).first();
                result.put(dnn.isClassifier() ? "accuracy" : "rmse", r.getDouble(0));
            }
            System.out.println(new ObjectMapper().writeValueAsString(result));
            return ExitStatus.OK;
        } finally {
            spark.stop();
        }
    }

    /** The rows of {@code data} with a {@code features} column (and {@code label} when the file has labels). */
    private Dataset<Row> read(SparkSession spark, Format in, DataConfig conf, int features) {
        switch (in) {
            case LIBSVM:
                return spark.read().format("libsvm").option("numFeatures", features).load(data);
            case PARQUET: {
                Dataset<Row> df = spark.read().parquet(data);
                List<String> columns = Arrays.asList(df.columns());
                if (columns.contains(featuresCol)) {
                    df = df.withColumnRenamed(featuresCol, "features");
                } else {
                    List<String> numeric = new ArrayList<>();
                    for (StructField f : df.schema().fields()) {
                        if (f.dataType() instanceof NumericType && !f.name().equals(labelCol)) {
                            numeric.add(f.name());
                        }
                    }
                    df = new VectorAssembler().setInputCols(numeric.toArray(String[]::new)).setOutputCol("features")
                            .transform(df);
                }
                return columns.contains(labelCol) ? df.withColumnRenamed(labelCol, "label") : df;
            }
            case CSV: {
                Dataset<Row> df = spark.read().option("header", conf.header()).option("sep", conf.delimiter())
                        .option("inferSchema", "true").option("mode", "FAILFAST").csv(data);
                String[] names = df.columns();
                boolean labelled = names.length == features + 1;
                if (!labelled && names.length != features) {
                    throw new DataException(data, "", names.length + " columns; the model takes " + features
                            + " features (plus a label column, optional)");
                }
                int label = labelled ? Math.floorMod(conf.labelColumn(), names.length) : -1;
                List<String> inputs = new ArrayList<>();
                List<Column> kept = new ArrayList<>();
                for (int i = 0; i < names.length; i++) {
                    if (i == label) {
                        kept.add(functions.col(names[i]).cast("double").as("label"));
                    } else {
                        inputs.add(names[i]);
                    }
                }
                Dataset<Row> assembled = new VectorAssembler().setInputCols(inputs.toArray(String[]::new))
                        .setOutputCol("features").transform(df);
                kept.add(functions.col("features"));
                return assembled.select(kept.toArray(Column[]::new));
            }
            default:
                throw new DataException(data, "", "format " + in + " is read on the driver only: use evaluate");
        }
    }

    private void write(Dataset<Row> predicted, DnnModel dnn) {
        if (outputFormat.equalsIgnoreCase("parquet")) {
            predicted.write().mode("errorifexists").parquet(output);
            return;
        }
        List<Column> columns = new ArrayList<>();
        for (String c : predicted.columns()) {
            if (!c.equals("probability") && !c.equals("rawPrediction")) {
                columns.add(functions.col(c));
            }
        }
        Column probabilities = org.apache.spark.ml.functions.vector_to_array(functions.col("probability"), "float64");
        for (int k = 0; k < dnn.numClasses(); k++) {
            columns.add(probabilities.getItem(k).as("p" + k));
        }
        predicted.select(columns.toArray(Column[]::new)).write().mode("errorifexists").option("header", "true")
                .csv(output);
    }
}

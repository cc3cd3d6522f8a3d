package org.sparkdnn.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.DataFormat;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.DataLoader;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.data.Splits;
import org.sparkdnn.engine.DistributedEvaluation;
import org.sparkdnn.engine.SparkRuntime;
import org.sparkdnn.io.Storage;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;
import org.sparkdnn.model.Dl4jMapping;
import org.sparkdnn.rows.DistributedRows;
import org.sparkdnn.rows.RowStats;
import org.sparkdnn.rows.RowsReader;
import org.sparkdnn.run.RunScaler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code evaluate --model M [--data FILE [--labels FILE]] [--config F]}: loss and accuracy of a saved model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on its run's test split, or on another file in the run's data format.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model.zip of a run.")
    private String model;

    @Option(names = "--data", paramLabel = "FILE", description = "Data to evaluate (default: the run's test split). "
            + "Scaled as in training: the run's scaler.json (refitted on its training data for runs without one).")
    private String data;

    @Option(names = "--labels", paramLabel = "FILE", description = "IDX labels file for --data.")
    private String labels;

    @Option(names = "--config", paramLabel = "FILE", description = "The run's config (default: config.yaml beside the model).")
    private String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    private List<String> overrides = new ArrayList<>();

    enum Where { DRIVER, EXECUTORS }

    @Option(names = "--on", paramLabel = "WHERE", description = "Where --data is read and evaluated: executors "
            + "(Spark reads it and runs the model per partition; CSV, LibSVM, Parquet) or driver (CSV, LibSVM, IDX). "
            + "Default: executors, but for IDX.")
    private Where on;

    /** The run's config: one given with --config is the user's; the run's own config.yaml may predate a moved key. */
    private RunConfig runConfig(Storage storage, String configUri, List<String> sets) {
        return config != null ? new ConfigLoader().load(storage, configUri, sets)
                : new ConfigLoader().loadWritten(storage, configUri, sets);
    }

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        ComputationGraph net = ModelFile.load(storage, model);
        String configUri = config != null ? config : siblingOf(model, "config.yaml");
        if (data != null && labels == null) {
            RunConfig run = runConfig(storage, configUri, overrides);
            DataFormat format = run.data().format();
            boolean executorsRead = format != DataFormat.IDX;
            if (on == Where.EXECUTORS && !executorsRead) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--on executors reads "
                        + "CSV, LibSVM and Parquet; the run's data.format is idx");
            }
            if (on == Where.DRIVER && format == DataFormat.PARQUET) {
                throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--on driver reads "
                        + "CSV, LibSVM and IDX; Parquet is evaluated on the executors");
            }
            if (on != Where.DRIVER && executorsRead) {
                Evaluation e = onExecutors(storage, net, run);
                System.out.println(new ConfigLoader().json().writeValueAsString(e.toMap()));
                return 0;
            }
        }
        if (data != null) {
            // the file's rows as they are (no held-out fractions, no scaling), then the run's own scaling: refitting
            // on a training split changed by other fractions would scale differently from training
            RunConfig run = runConfig(storage, configUri, overrides);
            List<String> sets = new ArrayList<>(overrides);
            sets.addAll(List.of("data.train=" + data, "data.testFraction=0", "data.validationFraction=0",
                    "data.scaling=none"));
            if (labels != null) {
                sets.add("data.trainLabels=" + labels);
            }
            RunConfig raw = runConfig(storage, configUri, sets);
            Examples rows = DataLoader.of(raw, storage).load().train();
            Scaler scaler = scaler(storage, run);
            DataType type = Dl4jMapping.dataType(run.model().dataType());
            ExampleMatrix matrix = new ExampleMatrix(scaler == null ? rows : scaler.apply(rows), run.model().loss(),
                    classesOf(net, run.model().loss()), type);
            Evaluation e = new Evaluator(run.model().loss()).evaluate(net, matrix);
            System.out.println(new ConfigLoader().json().writeValueAsString(e.toMap()));
            return 0;
        }
        RunConfig run = runConfig(storage, configUri, overrides);
        Splits splits = DataLoader.of(run, storage).load();
        if (splits.test().isEmpty()) {
            throw new DataException(configUri, "", "the run has no test split; pass --data");
        }
        DataType type = Dl4jMapping.dataType(run.model().dataType());
        ExampleMatrix test = new ExampleMatrix(splits.test().get(), run.model().loss(), splits.classes(), type);
        Evaluation e = new Evaluator(run.model().loss()).evaluate(net, test);
        System.out.println(new ConfigLoader().json().writeValueAsString(e.toMap()));
        return 0;
    }

    /** One-hot width of the labels: the network's outputs for softmax, 2 for BCE, 0 for regression. */
    private static int classesOf(ComputationGraph net, Loss loss) {
        int outputs = (int) net.getOutputLayer(0).getParam("W").size(1);
        return loss == Loss.SOFTMAX_CROSS_ENTROPY ? outputs
                : loss == Loss.BCE_WITH_LOGITS ? 2 : 0;
    }

    /** --data read and evaluated by the executors; the driver gets a few numbers per partition. */
    private Evaluation onExecutors(Storage storage, ComputationGraph net, RunConfig run) throws Exception {
        Loss loss = run.model().loss();
        SparkConf conf = SparkRuntime.conf(run.cluster(), "sparkdnn evaluate "
                + data, true);
        try (JavaSparkContext sc = new JavaSparkContext(conf);
             DistributedRows rows = RowsReader.of(sc, run.data(), run.model().imageShape()).read(data)) {
            int classes = classesOf(net, loss);
            if (classes > 0) {
                RowStats stats = rows.stats();
                if (stats.minLabel() < 0 || stats.maxLabel() >= classes) {
                    throw new DataException(data, "", "labels range over [" + stats.minLabel() + ", "
                            + stats.maxLabel() + "]; the model has " + classes + " classes");
                }
            }
            return DistributedEvaluation.evaluate(sc, rows.blocks(), net, loss, classes,
                    scaler(storage, run));
        }
    }

    /** The run's feature scaling (null: none). */
    private Scaler scaler(Storage storage, RunConfig run) throws IOException {
        String runDir = model.contains("/") ? model.substring(0, model.lastIndexOf('/')) : ".";
        return RunScaler.of(storage, runDir, run, System.err).orElse(null);
    }

    private static String siblingOf(String file, String name) {
        int slash = file.lastIndexOf('/');
        return (slash >= 0 ? file.substring(0, slash + 1) : "") + name;
    }
}

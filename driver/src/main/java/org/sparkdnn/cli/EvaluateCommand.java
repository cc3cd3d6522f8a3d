package org.sparkdnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.DataLoader;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Splits;
import org.sparkdnn.io.Storage;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;
import org.sparkdnn.model.Dl4jMapping;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code evaluate --model M [--data FILE [--labels FILE]] [--config F]}: loss and accuracy of a saved model. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on its run's test split, or on another file in the run's data format.")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model.zip of a run.")
    private String model;

    @Option(names = "--data", paramLabel = "FILE", description = "Data to evaluate (default: the run's test split). "
            + "Scaling statistics are refitted on the run's training data.")
    private String data;

    @Option(names = "--labels", paramLabel = "FILE", description = "IDX labels file for --data.")
    private String labels;

    @Option(names = "--config", paramLabel = "FILE", description = "The run's config (default: config.yaml beside the model).")
    private String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        ComputationGraph net = ModelFile.load(storage, model);
        String configUri = config != null ? config : siblingOf(model, "config.yaml");
        List<String> sets = new ArrayList<>(overrides);
        if (data != null) {
            sets.add("data.test=" + data);
            sets.add("data.testFraction=0");
            if (labels != null) {
                sets.add("data.testLabels=" + labels);
            }
        }
        RunConfig run = new ConfigLoader().load(storage, configUri, sets);
        Splits splits = new DataLoader(run.data(), run.model().loss(), storage).load();
        if (splits.test().isEmpty()) {
            throw new DataException(configUri, "", "the run has no test split; pass --data");
        }
        DataType type = Dl4jMapping.dataType(run.model().dataType());
        ExampleMatrix test = new ExampleMatrix(splits.test().get(), run.model().loss(), splits.classes(), type);
        Evaluation e = new Evaluator(run.model().loss()).evaluate(net, test);
        System.out.println(new ConfigLoader().json().writeValueAsString(e.toMap()));
        return 0;
    }

    private static String siblingOf(String file, String name) {
        int slash = file.lastIndexOf('/');
        return (slash >= 0 ? file.substring(0, slash + 1) : "") + name;
    }
}

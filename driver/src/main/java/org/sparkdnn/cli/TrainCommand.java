package org.sparkdnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train --config F [--set key=value]… [--output DIR]}. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train a model. The config is validated completely before anything starts.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "YAML run configuration (local path or Hadoop URI).")
    private String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a config key, e.g. --set optimizer.learningRate=0.1 (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--output", paramLabel = "DIR", description = "Output directory (same as --set output.dir=DIR).")
    private String output;

    @Mixin
    private ProgressOption progress = new ProgressOption();

    @Override
    public Integer call() throws Exception {
        List<String> sets = new ArrayList<>(overrides);
        if (output != null) {
            sets.add("output.dir=" + output);
        }
        Storage storage = Storage.withDefaults();
        RunConfig run = new ConfigLoader().load(storage, config, sets);
        new TrainingRun(run, storage, System.out, System::nanoTime).showingProgressBar(progress.bar()).execute();
        return 0;
    }
}

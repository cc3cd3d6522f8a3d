package org.sparkdnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.sweep.SweepRunner;
import org.sparkdnn.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sweep --config F [--set key=value]… [--output DIR] [--retry-failed]}. */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a hyperparameter sweep (grid, random or Halton search; ASHA early stopping). Rerun the "
                + "same command to resume an interrupted sweep: finished trials are not retrained.")
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Sweep YAML file (local path or Hadoop URI).")
    private String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a sweep key (search.trials=6, "
            + "parallelTrials=2) or, prefixed with base., a key of the base run config (repeatable).")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--output", paramLabel = "DIR", description = "Output directory (same as --set output.dir=DIR).")
    private String output;

    @Option(names = "--retry-failed", description = "Train the trials that failed in an earlier attempt again.")
    private boolean retryFailed;

    @Override
    public Integer call() throws Exception {
        List<String> sets = new ArrayList<>(overrides);
        if (output != null) {
            sets.add("output.dir=" + output);
        }
        Storage storage = Storage.withDefaults();
        SweepSpec spec = SweepSpec.load(storage, new ConfigLoader(), config, sets);
        Optional<JavaSparkContext> spark = SweepRunner.sparkFor(spec);
        try {
            new SweepRunner(spec, storage, System.out, System::nanoTime, spark).run(retryFailed);
        } finally {
            spark.ifPresent(JavaSparkContext::stop);
        }
        return 0;
    }
}

package org.sparkdnn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.sweep.Leaderboard;
import org.sparkdnn.sweep.Nightly;
import org.sparkdnn.sweep.SweepRunner;
import org.sparkdnn.sweep.SweepSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sweep --config F [--set key=value]… [--output DIR] [--retry-failed] [--warm-start DIR [--warm-start-top N]]
 * [--compare-to DIR [--tolerance T]]}.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = "Run a hyperparameter sweep (grid, random or Halton search; ASHA early stopping). Rerun the "
                + "same command to resume an interrupted sweep: finished trials are not retrained. Exit status 3: "
                + "the best metric regressed against --compare-to.")
final class SweepCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, paramLabel = "FILE", description = "Sweep YAML file (local path or Hadoop URI).")
    String config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a sweep key (search.trials=6, "
            + "parallelTrials=2) or, prefixed with base., a key of the base run config (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--output", paramLabel = "DIR", description = "Output directory (same as --set output.dir=DIR).")
    String output;

    @Option(names = "--retry-failed", description = "Train the trials that failed in an earlier attempt again.")
    boolean retryFailed;

    @Option(names = "--warm-start", paramLabel = "DIR", description = "An earlier sweep of the same space: its best "
            + "configs are tried first.")
    String warmStart;

    @Option(names = "--warm-start-top", paramLabel = "N", defaultValue = "3",
            description = "How many of the earlier sweep's best configs --warm-start tries (default: ${DEFAULT-VALUE}).")
    int warmStartTop;

    @Option(names = "--compare-to", paramLabel = "DIR", description = "An earlier sweep: print its best against this "
            + "one's and exit with 3 when this one's best is worse by more than --tolerance.")
    String compareTo;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "0.01",
            description = "Relative worsening of the best metric that counts as a regression (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Override
    public Integer call() throws Exception {
        List<String> sets = new ArrayList<>(overrides);
        if (output != null) {
            sets.add("output.dir=" + output);
        }
        return run(sets, Optional.ofNullable(warmStart), Optional.ofNullable(compareTo));
    }

    /** Runs the sweep with these overrides, warm start and yardstick; the exit status. */
    int run(List<String> sets, Optional<String> warmFrom, Optional<String> yardstick) throws Exception {
        Storage storage = Storage.withDefaults();
        ConfigLoader loader = new ConfigLoader();
        SweepSpec spec = SweepSpec.load(storage, loader, config, sets);
        if (warmFrom.isPresent()) {
            spec = spec.warmStartedWith(Nightly.Earlier.read(storage, loader.json(), warmFrom.get())
                    .top(warmStartTop, loader.json()), loader, SweepSpec.sweepTree(storage, loader, config, sets));
        }
        Optional<Nightly.Earlier> earlier = yardstick.isPresent()
                ? Optional.of(Nightly.Earlier.read(storage, loader.json(), yardstick.get())) : Optional.empty();
        if (tolerance < 0) {
            throw new ConfigException("--tolerance", "must be >= 0", tolerance);
        }
        Optional<JavaSparkContext> spark = SweepRunner.sparkFor(spec);
        Leaderboard board;
        try {
            board = new SweepRunner(spec, storage, System.out, System::nanoTime, spark).run(retryFailed);
        } finally {
            spark.ifPresent(JavaSparkContext::stop);
        }
        if (earlier.isPresent()) {
            Nightly.Comparison c = Nightly.compare(earlier.get(), board, spec.config().scheduler().maximise(), tolerance);
            System.out.println(c.describe(earlier.get().dir()));
            return c.regressed() ? ExitStatus.REGRESSED : ExitStatus.OK;
        }
        return 0;
    }
}

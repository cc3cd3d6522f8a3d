package org.sparkdnn.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.console.ConsoleLogging;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;
import org.sparkdnn.run.TrainingRun;
import org.sparkdnn.sweep.Leaderboard;
import org.sparkdnn.sweep.SweepRunner;
import org.sparkdnn.sweep.SweepSpec;

/**
 * Does the sweep's winner hold up? Runs the sweep (resuming it if its output exists), then retrains its
 * {@code best.yaml} and the sweep's base config file as users run it (without the sweep's {@code baseOverrides}) on
 * several seeds — each seed s sets {@code training.seed} and {@code data.splitSeed} to s, so a fixed-fraction test
 * split is drawn anew — alternating which of the two trains first, and prints the test metric of each run, the mean ±
 * standard error (sample standard deviation / √n) of both, their difference with its standard error
 * (√(SE₁² + SE₂²)), and the paired difference (seed by seed). The winner was chosen on the validation split of the
 * sweep's own seed; every number here is from the test split.
 *
 * <p>Usage: {@code WinnerBenchmark SWEEP_FILE OUTPUT_DIR SEEDS METRIC [--set key=value]…} (SEEDS comma-separated;
 * METRIC e.g. {@code test.accuracy}; {@code --set} applies to the sweep file, {@code base.}-prefixed to its base —
 * and then to the base's retrains too, so both sides differ from the shipped configs alike).
 */
public final class WinnerBenchmark {
    private WinnerBenchmark() {
    }

    /** Mean and standard error of the mean of {@code xs} (n ≥ 2; else SE NaN). */
    record Stats(double mean, double se, int n) {
        static Stats of(List<Double> xs) {
            double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = xs.stream().mapToDouble(x -> (x - mean) * (x - mean)).sum();
            int n = xs.size();
            return new Stats(mean, n > 1 ? Math.sqrt(ss / (n - 1) / n) : Double.NaN, n);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: WinnerBenchmark SWEEP_FILE OUTPUT_DIR SEEDS METRIC [--set key=value]...");
            System.exit(1);
        }
        ConsoleLogging.apply(false);
        List<String> sets = new ArrayList<>();
        for (int i = 4; i < args.length; i += 2) {
            if (!args[i].equals("--set") || i + 1 == args.length) {
                System.err.println("expected --set key=value, was " + String.join(" ", List.of(args).subList(i,
                        args.length)));
                System.exit(1);
            }
            sets.add(args[i + 1]);
        }
        // base.* values change the base for both sides: the sweep's trials (so best.yaml) and the base's retrains
        List<String> baseSets = sets.stream().filter(x -> x.startsWith("base.")).map(x -> x.substring(5)).toList();
        String out = args[1];
        List<Long> seeds = List.of(args[2].split(",")).stream().map(String::trim).map(Long::parseLong).toList();
        String metric = args[3];
        Storage storage = Storage.withDefaults();
        ConfigLoader loader = new ConfigLoader();
        List<String> sweepSets = new ArrayList<>(sets);
        sweepSets.add("output.dir=" + out + "/sweep");
        SweepSpec spec = SweepSpec.load(storage, loader, args[0], sweepSets);
        String baseFile = spec.baseFile().orElseThrow(() -> new IllegalArgumentException(args[0]
                + ": base must be a run config file to compare the winner with"));
        long start = System.nanoTime();
        Leaderboard board = sweep(spec, storage);
        double sweepSeconds = (System.nanoTime() - start) / 1e9;
        Leaderboard.Row best = board.best().orElseThrow(() -> new IllegalStateException("every trial failed"));
        Map<String, String> shown = new LinkedHashMap<>();
        best.params().forEach((k, v) -> shown.put(k, Leaderboard.shortText(v)));
        System.out.printf("sweep %s: %d trials, %.0f s; winner %s %s, %s %.6f at epoch %d of %d%n", args[0],
                board.rows().size(), sweepSeconds, best.trial(), shown, board.metric(), best.metric(),
                best.metricEpoch(), best.epochs());
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("base", baseFile);
        configs.put("winner", out + "/sweep/best.yaml");
        Map<String, List<Double>> values = new LinkedHashMap<>();
        configs.keySet().forEach(k -> values.put(k, new ArrayList<>()));
        System.out.printf("%nretraining on seeds %s (training.seed = data.splitSeed = s), %s of each run:%n", seeds,
                metric);
        System.out.printf("%6s %12s %12s %12s%n", "seed", "base", "winner", "difference");
        for (int i = 0; i < seeds.size(); i++) {
            long seed = seeds.get(i);
            List<String> order = i % 2 == 0 ? List.of("base", "winner") : List.of("winner", "base");
            Map<String, Double> got = new LinkedHashMap<>();
            for (String name : order) {
                got.put(name, train(storage, loader, configs.get(name), name.equals("base") ? baseSets : List.of(),
                        out + "/runs/" + name + "-seed" + seed, seed, metric));
                values.get(name).add(got.get(name));
            }
            System.out.printf("%6d %12.4f %12.4f %+12.4f%n", seed, got.get("base"), got.get("winner"),
                    got.get("winner") - got.get("base"));
        }
        print(values, metric, out, storage, loader, best, sweepSeconds);
        System.exit(0);
    }

    private static Leaderboard sweep(SweepSpec spec, Storage storage) throws Exception {
        Optional<JavaSparkContext> spark = SweepRunner.sparkFor(spec);
        try {
            return new SweepRunner(spec, storage, System.out, System::nanoTime, spark).run(false);
        } finally {
            spark.ifPresent(JavaSparkContext::stop);
        }
    }

    private static double train(Storage storage, ConfigLoader loader, String file, List<String> sets, String dir,
                                long seed, String metric) throws Exception {
        List<String> all = new ArrayList<>(sets);
        all.addAll(List.of("training.seed=" + seed, "data.splitSeed=" + seed, "output.dir=" + dir,
                "checkpoint.dir=" + dir + "/checkpoints"));
        RunConfig config = loader.load(storage, file, all);
        Nd4j.getRandom().setSeed(seed);
        Map<String, Object> summary = new TrainingRun(config, storage,
                new PrintStream(OutputStream.nullOutputStream()), System::nanoTime).execute();
        double v = RunData.number(summary, metric);
        if (Double.isNaN(v)) {
            throw new IllegalStateException(dir + ": no " + metric + " in summary.json");
        }
        return v;
    }

    private static void print(Map<String, List<Double>> values, String metric, String out, Storage storage,
                              ConfigLoader loader, Leaderboard.Row best, double sweepSeconds) throws Exception {
        Stats base = Stats.of(values.get("base"));
        Stats winner = Stats.of(values.get("winner"));
        List<Double> paired = new ArrayList<>();
        for (int i = 0; i < base.n(); i++) {
            paired.add(values.get("winner").get(i) - values.get("base").get(i));
        }
        Stats pairs = Stats.of(paired);
        double diff = winner.mean() - base.mean();
        double se = Math.hypot(winner.se(), base.se());
        System.out.printf("%n%-8s %s = %.4f ± %.4f (mean ± SE, n = %d)%n", "base", metric, base.mean(), base.se(),
                base.n());
        System.out.printf("%-8s %s = %.4f ± %.4f (mean ± SE, n = %d)%n", "winner", metric, winner.mean(),
                winner.se(), winner.n());
        System.out.printf("winner − base = %+.4f ± %.4f (%.1f SE); paired by seed %+.4f ± %.4f (%.1f SE)%n", diff, se,
                diff / se, pairs.mean(), pairs.se(), pairs.mean() / pairs.se());
        System.out.printf("the winner %s the base by more than 2 standard errors%n",
                diff > 2 * se ? "BEATS" : diff < -2 * se ? "LOSES TO" : "does not separate from");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("date", Instant.now().toString());
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("metric", metric);
        doc.put("winner", Map.of("trial", best.trial(), "params", best.params(), "epochs", best.epochs()));
        doc.put("sweepSeconds", sweepSeconds);
        doc.put("base", Map.of("values", values.get("base"), "mean", base.mean(), "se", base.se()));
        doc.put("winnerRuns", Map.of("values", values.get("winner"), "mean", winner.mean(), "se", winner.se()));
        doc.put("difference", Map.of("mean", diff, "se", se, "pairedMean", pairs.mean(), "pairedSe", pairs.se()));
        storage.writeAtomically(out + "/winner-vs-base.json", loader.json().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(doc));
        System.out.println("written to " + out + "/winner-vs-base.json");
    }
}

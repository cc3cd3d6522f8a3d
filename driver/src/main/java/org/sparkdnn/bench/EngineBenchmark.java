package org.sparkdnn.bench;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.SparkRuntime;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;

/**
 * Runs the same job with the {@code local}, {@code sync} and {@code reference} engines in one JVM, interleaved over
 * several rounds (noisy machines), and prints medians side by side with ratios to {@code local}.
 *
 * <p>Usage: {@code EngineBenchmark CONFIG ROUNDS [--set key=value]…}
 */
public final class EngineBenchmark {
    private static final List<String> ENGINES = List.of("local", "sync", "reference");

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: EngineBenchmark CONFIG ROUNDS [--set key=value]...");
            System.exit(1);
        }
        int rounds = Integer.parseInt(args[1]);
        List<String> sets = new ArrayList<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            sets.add(args[i + 1]);
        }
        ConfigLoader loader = new ConfigLoader();
        Storage storage = Storage.withDefaults();
        RunConfig base = loader.load(storage, args[0], sets);
        Path out = Files.createTempDirectory("sparkdnn-bench");
        Map<String, List<Map<String, Object>>> results = new LinkedHashMap<>();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        try (JavaSparkContext sc = SparkRuntime.start(base.cluster(), "sparkdnn engine benchmark")) {
            for (int round = 0; round < rounds; round++) {
                for (String engine : ENGINES) {
                    List<String> engineSets = new ArrayList<>(sets);
                    engineSets.add("cluster.engine=" + engine);
                    engineSets.add("output.dir=" + out.resolve(engine + round));
                    RunConfig config = loader.load(storage, args[0], engineSets);
                    Map<String, Object> summary = new TrainingRun(config, storage, quiet, System::nanoTime,
                            Optional.of(sc)).execute();
                    results.computeIfAbsent(engine, e -> new ArrayList<>()).add(summary);
                    System.out.printf("round %d/%d %-9s %8.0f examples/s %7.1f ms/step%n", round + 1, rounds, engine,
                            (Double) summary.get("examplesPerSecond"), (Double) summary.get("msPerStep"));
                }
            }
        }
        report(base, results);
        System.exit(0); // Spark's barrier-task timer thread is not a daemon: without exit the JVM would linger
    }

    @SuppressWarnings("unchecked")
    private static void report(RunConfig base, Map<String, List<Map<String, Object>>> results) {
        System.out.printf("%n%s: batch %d, %d workers, master %s, medians of %d rounds%n", base.data().train(),
                base.training().batchSize(), base.cluster().workers(), base.cluster().master(),
                results.get("local").size());
        double localRate = median(results.get("local"), "examplesPerSecond");
        System.out.printf("%-10s %12s %10s %12s%n", "engine", "examples/s", "ms/step", "vs local");
        for (String engine : ENGINES) {
            double rate = median(results.get(engine), "examplesPerSecond");
            System.out.printf("%-10s %12.0f %10.1f %11.2fx%n", engine, rate, median(results.get(engine), "msPerStep"),
                    rate / localRate);
        }
        for (String engine : List.of("sync", "reference")) {
            Map<String, Object> stats = (Map<String, Object>) results.get(engine).get(results.get(engine).size() / 2)
                    .get("engineStats");
            System.out.println(engine + " breakdown (middle round): " + stats);
        }
    }

    private static double median(List<Map<String, Object>> runs, String key) {
        double[] v = runs.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

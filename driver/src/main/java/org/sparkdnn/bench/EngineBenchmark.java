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
 * Runs the same job with each engine ({@code local}, {@code sync}, {@code reference}, {@code shared},
 * {@code averaging}; environment {@code ENGINES} picks some) in one JVM, interleaved over several rounds (noisy
 * machines), and prints medians side by side with ratios to {@code local}. With {@code TARGET} (a validation
 * accuracy, e.g. 0.97) it also prints each engine's epochs and training seconds until the validation accuracy after
 * an epoch first reached it (the job needs a validation split).
 *
 * <p>Usage: {@code EngineBenchmark CONFIG ROUNDS [--set key=value]…}
 */
public final class EngineBenchmark {
    private static final List<String> ENGINES = List.of(System.getenv().getOrDefault("ENGINES",
            "local,sync,reference,shared,averaging").split(","));
    private static final double TARGET = Double.parseDouble(System.getenv().getOrDefault("TARGET", "0"));

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
        // DL4J's trainers need their Kryo settings on the shared context (the exact engines run with them too)
        RunConfig contextConfig = ENGINES.contains("shared") || ENGINES.contains("averaging")
                ? loader.load(storage, args[0], concat(sets, "cluster.engine=averaging")) : base;
        try (JavaSparkContext sc = SparkRuntime.start(contextConfig.cluster(), "sparkdnn engine benchmark")) {
            for (int round = 0; round < rounds; round++) {
                for (String engine : ENGINES) {
                    List<String> engineSets = new ArrayList<>(sets);
                    engineSets.add("cluster.engine=" + engine);
                    engineSets.add("output.dir=" + out.resolve(engine + round));
                    RunConfig config = loader.load(storage, args[0], engineSets);
                    Map<String, Object> summary = new TrainingRun(config, storage, quiet, System::nanoTime,
                            Optional.of(sc)).execute();
                    Map<String, Object> row = new LinkedHashMap<>(summary);
                    row.putAll(toTarget(out.resolve(engine + round)));
                    results.computeIfAbsent(engine, e -> new ArrayList<>()).add(row);
                    System.out.printf("round %d/%d %-9s %8.0f examples/s %7.1f ms/step  test accuracy %.4f%s%n",
                            round + 1, rounds, engine, (Double) summary.get("examplesPerSecond"),
                            (Double) summary.get("msPerStep"), testAccuracy(summary), TARGET > 0
                                    ? String.format("  %s to %.2f", describe(row), TARGET) : "");
                }
            }
        }
        report(base, results);
        System.exit(0); // Spark's barrier-task timer thread is not a daemon: without exit the JVM would linger
    }

    private static List<String> concat(List<String> sets, String extra) {
        List<String> all = new ArrayList<>(sets);
        all.add(extra);
        return all;
    }

    @SuppressWarnings("unchecked")
    private static double testAccuracy(Map<String, Object> summary) {
        Object test = summary.get("test");
        return test instanceof Map ? ((Number) ((Map<String, Object>) test).get("accuracy")).doubleValue() : Double.NaN;
    }

    /** Epochs and training seconds until the validation accuracy after an epoch first reached {@code TARGET}. */
    private static Map<String, Object> toTarget(Path run) throws java.io.IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (TARGET <= 0) {
            return m;
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new ConfigLoader().json();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            com.fasterxml.jackson.databind.JsonNode r = json.readTree(line);
            if ("epoch".equals(r.path("type").asText()) && r.path("validation").path("accuracy").asDouble() >= TARGET) {
                m.put("epochsToTarget", r.get("epoch").asInt());
                m.put("secondsToTarget", r.get("trainSeconds").asDouble());
                return m;
            }
        }
        return m;
    }

    private static String describe(Map<String, Object> row) {
        return row.containsKey("epochsToTarget") ? String.format("%d epochs, %.1f s", (Integer) row.get("epochsToTarget"),
                (Double) row.get("secondsToTarget")) : "not reached";
    }

    @SuppressWarnings("unchecked")
    private static void report(RunConfig base, Map<String, List<Map<String, Object>>> results) {
        System.out.printf("%n%s: batch %d, %d workers, master %s, medians of %d rounds%n", base.data().train(),
                base.training().batchSize(), base.cluster().workers(), base.cluster().master(),
                results.values().iterator().next().size());
        double localRate = results.containsKey("local") ? median(results.get("local"), "examplesPerSecond") : Double.NaN;
        System.out.printf("%-10s %12s %10s %12s %14s%s%n", "engine", "examples/s", "ms/step", "vs local",
                "test accuracy", TARGET > 0 ? String.format("  to validation accuracy %.2f", TARGET) : "");
        for (String engine : ENGINES) {
            List<Map<String, Object>> runs = results.get(engine);
            double rate = median(runs, "examplesPerSecond");
            double accuracy = runs.stream().mapToDouble(EngineBenchmark::testAccuracy).sorted()
                    .toArray()[runs.size() / 2];
            System.out.printf("%-10s %12.0f %10.1f %11.2fx %14.4f%s%n", engine, rate, median(runs, "msPerStep"),
                    rate / localRate, accuracy, TARGET > 0 ? "  " + describe(runs.get(runs.size() / 2)) : "");
        }
        for (String engine : List.of("sync", "reference", "shared", "averaging")) {
            if (!results.containsKey(engine)) {
                continue;
            }
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

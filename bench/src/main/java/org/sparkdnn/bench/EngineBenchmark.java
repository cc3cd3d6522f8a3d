package org.sparkdnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.DataLoader;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Splits;
import org.sparkdnn.engine.SparkRuntime;
import org.sparkdnn.io.Storage;
import org.sparkdnn.metrics.Evaluator;
import org.sparkdnn.model.Dl4jMapping;
import org.sparkdnn.model.ModelFactory;
import org.sparkdnn.model.NativeConv;
import org.sparkdnn.run.TrainingRun;

/**
 * Runs the same job with each engine ({@code local}, {@code sync}, {@code sync-peer} (sync with {@code cluster.exchange:
 * peer}, {@code peer.update: auto}), {@code sync-peer-replicated} (the same with {@code peer.update: replicated}),
 * {@code sync-peer-sequential} (the same with {@code peer.overlap: false}),
 * {@code reference}, {@code shared},
 * {@code averaging}; environment {@code ENGINES} picks some, and the baselines {@code dl4j} and {@code dl4j-iterator}:
 * plain DL4J fit on the same network and batches, and {@code dl4j-im2col}: the same as {@code dl4j} with DL4J's own
 * conv path instead of libnd4j's ops, i.e. DL4J as shipped) in one JVM, interleaved over several rounds (noisy machines; every
 * other round in reverse order), and prints medians side by side with ratios to {@code local}. With {@code TARGET} (a validation
 * accuracy, e.g. 0.97) it also prints each engine's epochs and training seconds until the validation accuracy after
 * an epoch first reached it (the job needs a validation split).
 *
 * <p>Usage: {@code EngineBenchmark CONFIG ROUNDS [--set key=value]…}
 */
public final class EngineBenchmark {
    private static final List<String> ENGINES = List.of(System.getenv().getOrDefault("ENGINES",
            "local,sync,sync-peer,reference,shared,averaging").split(","));
    private static final double TARGET = Double.parseDouble(System.getenv().getOrDefault("TARGET", "0"));

    /** Baselines, not engines: plain DL4J on the same network, data and batches (no trainer around it). */
    private static final List<String> PLAIN = List.of("dl4j", "dl4j-iterator", "dl4j-im2col");

    private EngineBenchmark() {
    }

    /**
     * Plain DL4J: the network {@code local} would build, the same training rows and batch order, and nothing else — no
     * listeners, divergence checks, records or progress. {@code iterator}: one {@code fit(DataSetIterator)} per epoch
     * over the epoch's batches (DL4J's own loop, with its prefetch thread); else {@code fit(DataSet)} per batch, as
     * {@code local} calls it. Batches are cut from the same matrix inside the timed part, as {@code local} cuts them.
     */
    private static Map<String, Object> plainDl4j(RunConfig config, Storage storage, String baseline) {
        boolean iterator = baseline.equals("dl4j-iterator");
        Splits splits = DataLoader.of(config, storage).load();
        DataType type = Dl4jMapping.dataType(config.model().dataType());
        ExampleMatrix train = new ExampleMatrix(splits.train(),
                config.model().loss(), splits.classes(), type);
        BatchPlan plan = BatchPlan.of(config, train.count());
        long totalSteps = (long) plan.batchesPerEpoch() * config.training().epochs();
        ComputationGraph net = new ModelFactory(config.model(),
                config.optimizer(), config.training().seed(), totalSteps).build(splits.shape(), storage);
        if (baseline.equals("dl4j-im2col")) {
            NativeConv.uninstall(net); // DL4J as shipped: its conv layers' own im2col + GEMM path
        }
        long nanos = 0;
        long examples = 0;
        for (int epoch = 0; epoch < config.training().epochs(); epoch++) {
            List<int[]> batches = plan.batches(epoch);
            long begin = System.nanoTime();
            if (iterator) {
                net.fit(new Batches(train, batches));
            } else {
                for (int[] rows : batches) {
                    net.fit(train.batch(rows));
                }
            }
            nanos += System.nanoTime() - begin;
            examples += batches.stream().mapToInt(b -> b.length).sum();
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("examplesPerSecond", examples / (nanos / 1e9));
        summary.put("msPerStep", nanos / 1e6 / totalSteps);
        splits.test().ifPresent(t -> summary.put("test", new Evaluator(config.model().loss())
                .evaluate(net, new ExampleMatrix(t, config.model().loss(), splits.classes(), type))
                .toMap()));
        return summary;
    }

    /** An epoch's batches as a DataSetIterator, each cut from the matrix when DL4J asks for it. */
    static final class Batches implements DataSetIterator {
        private static final long serialVersionUID = 1L;
        private final transient ExampleMatrix train;
        private final List<int[]> batches;
        private int next;

        Batches(ExampleMatrix train, List<int[]> batches) {
            this.train = train;
            this.batches = batches;
        }

        @Override
        public DataSet next(int num) {
            return next();
        }

        @Override
        public int inputColumns() {
            return -1;
        }

        @Override
        public int totalOutcomes() {
            return -1;
        }

        @Override
        public boolean resetSupported() {
            return true;
        }

        @Override
        public boolean asyncSupported() {
            return true;
        }

        @Override
        public void reset() {
            next = 0;
        }

        @Override
        public int batch() {
            return batches.get(0).length;
        }

        @Override
        public void setPreProcessor(DataSetPreProcessor preProcessor) {
            throw new UnsupportedOperationException();
        }

        @Override
        public DataSetPreProcessor getPreProcessor() {
            return null;
        }

        @Override
        public List<String> getLabels() {
            return null;
        }

        @Override
        public boolean hasNext() {
            return next < batches.size();
        }

        @Override
        public DataSet next() {
            return train.batch(batches.get(next++));
        }
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
                // every other round in reverse order: the first run of a JVM (JIT warm-up) is not always the same one
                List<String> order = new ArrayList<>(ENGINES);
                if (round % 2 == 1) {
                    Collections.reverse(order);
                }
                for (String engine : order) {
                    List<String> engineSets = new ArrayList<>(sets);
                    // sync-peer[-replicated|-sequential]: the sync engine with cluster.exchange: peer
                    boolean peer = engine.startsWith("sync-peer");
                    engineSets.add("cluster.engine=" + (peer ? "sync" : engine));
                    engineSets.add("cluster.exchange=" + (peer ? "peer" : "driver"));
                    if (engine.equals("sync-peer-replicated")) {
                        engineSets.add("cluster.peer.update=replicated");
                    }
                    if (engine.equals("sync-peer-sequential")) {
                        engineSets.add("cluster.peer.overlap=false");
                    }
                    engineSets.add("output.dir=" + out.resolve(engine + round));
                    RunConfig config = loader.load(storage, args[0], PLAIN.contains(engine)
                            ? concat(sets, "cluster.engine=local") : engineSets);
                    Map<String, Object> summary = PLAIN.contains(engine) ? plainDl4j(config, storage, engine) : new TrainingRun(config, storage, quiet, System::nanoTime,
                            Optional.of(sc)).execute();
                    Map<String, Object> row = new LinkedHashMap<>(summary);
                    row.putAll(toTarget(out.resolve(engine + round)));
                    results.computeIfAbsent(engine, e -> new ArrayList<>()).add(row);
                    System.out.printf("round %d/%d %-13s %8.0f examples/s %7.1f ms/step  test accuracy %.4f%s%n",
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
    private static Map<String, Object> toTarget(Path run) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        if (TARGET <= 0 || !Files.exists(run.resolve("metrics.jsonl"))) { // the plain DL4J baselines keep no records
            return m;
        }
        ObjectMapper json = new ConfigLoader().json();
        for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
            JsonNode r = json.readTree(line);
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
        System.out.printf("%-20s %12s %10s %12s %16s %14s%s%n", "engine", "examples/s", "ms/step", "vs local",
                "per-round ratio", "test accuracy", TARGET > 0 ? String.format("  to validation accuracy %.2f", TARGET)
                        : "");
        for (String engine : ENGINES) {
            List<Map<String, Object>> runs = results.get(engine);
            double rate = median(runs, "examplesPerSecond");
            double accuracy = runs.stream().mapToDouble(EngineBenchmark::testAccuracy).sorted()
                    .toArray()[runs.size() / 2];
            // the ratio within each round (both ran minutes apart, not an hour): steadier on a noisy machine
            double[] ratios = new double[runs.size()];
            for (int r = 0; r < runs.size(); r++) {
                ratios[r] = !results.containsKey("local") ? Double.NaN
                        : ((Number) runs.get(r).get("examplesPerSecond")).doubleValue()
                        / ((Number) results.get("local").get(r).get("examplesPerSecond")).doubleValue();
            }
            Arrays.sort(ratios);
            double perRound = ratios.length % 2 == 1 ? ratios[ratios.length / 2]
                    : (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
            System.out.printf("%-20s %12.0f %10.1f %11.2fx %15.2fx %14.4f%s%n", engine, rate, median(runs, "msPerStep"),
                    rate / localRate, perRound, accuracy, TARGET > 0 ? "  " + describe(runs.get(runs.size() / 2)) : "");
        }
        for (String engine : List.of("sync", "sync-peer", "sync-peer-replicated", "sync-peer-sequential", "reference",
                "shared", "averaging")) {
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

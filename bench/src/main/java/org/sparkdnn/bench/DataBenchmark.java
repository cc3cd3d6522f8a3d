package org.sparkdnn.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.CsvReader;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.engine.EpochData;
import org.sparkdnn.rows.CsvRowsReader;
import org.sparkdnn.rows.DistributedRows;
import org.sparkdnn.io.Storage;

/**
 * Ingest of a CSV training file: the driver's reader (one thread, the whole set in the driver's heap) versus
 * {@link DistributedRows} (Spark's executors parse their splits in parallel and cache the rows there; the driver gets
 * counts), side by side over interleaved rounds on the same generated file. Medians of rows per second. Then, on the
 * cached rows, the time to materialise an epoch's per-worker data for a global plan (a shuffle per epoch) and a
 * partitioned one (one shuffle home, then narrow re-keyings).
 *
 * <p>Usage: {@code DataBenchmark [ROWS [FEATURES [ROUNDS [MASTER]]]]} (default 1,000,000 × 32, 3 rounds, local[2])
 */
public final class DataBenchmark {
    private DataBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int features = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String master = args.length > 3 ? args[3] : "local[2]";
        Path dir = Files.createTempDirectory("sparkdnn-bench-data");
        Path file = dir.resolve("train.csv");
        long start = System.nanoTime();
        SplittableRandom random = new SplittableRandom(42);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII)) {
            StringBuilder line = new StringBuilder();
            for (int r = 0; r < rows; r++) {
                line.setLength(0);
                for (int j = 0; j < features; j++) {
                    line.append(String.format(Locale.ROOT, "%.4f", random.nextDouble(-3, 3))).append(',');
                }
                line.append(random.nextInt(10)).append('\n');
                out.write(line.toString());
            }
        }
        System.out.printf(Locale.ROOT, "generated %,d rows x %d features (%,d MB) in %.1f s; Spark %s%n", rows,
                features, Files.size(file) >> 20, (System.nanoTime() - start) / 1e9, master);
        CsvReader reader = new CsvReader(",", false, -1);
        double[] driver = new double[rounds];
        double[] executors = new double[rounds];
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf().setMaster(master)
                .setAppName("DataBenchmark").set("spark.ui.enabled", "false"))) {
            for (int round = 0; round < rounds; round++) {
                long t0 = System.nanoTime();
                Examples e = reader.read(Storage.withDefaults(), file.toString());
                driver[round] = e.count() / ((System.nanoTime() - t0) / 1e9);
                e = null;
                System.gc();
                long t1 = System.nanoTime();
                try (DistributedRows d = new CsvRowsReader(sc, reader, sc.defaultParallelism())
                        .read(file.toString())) {
                    executors[round] = d.count() / ((System.nanoTime() - t1) / 1e9);
                    if (round == rounds - 1) { // epoch starts on the last round's cached rows
                        int n = (int) d.count();
                        long[] global = epochStartMillis(d, new BatchPlan(1, n, 512), 2, 3);
                        long[] partitioned = epochStartMillis(d, BatchPlan.partitioned(1, n, 512, 2), 2, 3);
                        System.out.printf(Locale.ROOT, "epoch start, 2 workers, batch 512 (ms: setup, epochs 1-3): "
                                + "global %s, partitioned %s%n", Arrays.toString(global),
                                Arrays.toString(partitioned));
                    }
                }
                System.out.printf(Locale.ROOT, "round %d: driver read %,.0f rows/s, executor read %,.0f rows/s%n",
                        round + 1, driver[round], executors[round]);
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        double d = median(driver);
        double x = median(executors);
        System.out.printf(Locale.ROOT, "median: driver read %,.0f rows/s, executor read %,.0f rows/s "
                + "(executor/driver %.2fx)%n", d, x, x / d);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Benchmarks: milliseconds to materialise each of {@code epochs} epochs' per-worker data from {@code rows} (what a
     * distributed engine waits for at an epoch's start) under {@code plan} — global: a shuffle per epoch; partitioned:
     * one shuffle home (counted in the setup time, element 0), then narrow re-keyings.
     */
    private static long[] epochStartMillis(DistributedRows rows, BatchPlan plan, int workers, int epochs) {
        long start = System.nanoTime();
        long[] millis = new long[epochs + 1];
        try (EpochData data = EpochData.onExecutors(rows.blocks(), plan, workers)) {
            millis[0] = (System.nanoTime() - start) / 1_000_000;
            for (int e = 0; e < epochs; e++) {
                long t = System.nanoTime();
                data.epoch(e).values().map(RowBlock::rows).reduce(Integer::sum);
                millis[e + 1] = (System.nanoTime() - t) / 1_000_000;
            }
        }
        return millis;
    }
}

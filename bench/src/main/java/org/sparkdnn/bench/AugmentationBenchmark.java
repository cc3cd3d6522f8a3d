package org.sparkdnn.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.IdxReader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;

/**
 * The lectures' first remedy for too few examples, measured: the same CNN trained on the first N (2,000) MNIST
 * training images without augmentation, with {@code shift}, and with {@code randomCrop}, for several seeds (the
 * training seed: init, order, dropout and the transforms), evaluated on the full 10,000-image test set. Prints per
 * variant the mean and standard deviation over seeds of the test accuracy and of the train−test accuracy gap (train
 * accuracy measured without augmentation), and the difference to no augmentation.
 *
 * <p>Usage: {@code AugmentationBenchmark CONFIG MNIST_DIR EXAMPLES SEEDS [--set key=value]…}
 */
public final class AugmentationBenchmark {
    private AugmentationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String config = args[0];
        Path mnist = Path.of(args[1]);
        int examples = Integer.parseInt(args[2]);
        int seeds = Integer.parseInt(args[3]);
        List<String> sets = new ArrayList<>();
        for (int i = 4; i + 1 < args.length; i += 2) {
            sets.add(args[i + 1]);
        }
        Path work = Files.createTempDirectory("augmentation-bench");
        Examples all = new IdxReader().read(Storage.withDefaults(), mnist.resolve("train-images-idx3-ubyte").toString(),
                mnist.resolve("train-labels-idx1-ubyte").toString());
        writeIdx(all, examples, work.resolve("images"), work.resolve("labels"));
        Map<String, String> variants = new LinkedHashMap<>();
        variants.put("none", "data.augment={}");
        variants.put("shift 2", "data.augment={shift: {pixels: 2}}");
        variants.put("randomCrop 2", "data.augment={randomCrop: {padding: 2}}");
        Map<String, double[][]> results = new LinkedHashMap<>();
        ConfigLoader loader = new ConfigLoader();
        PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
        for (int seed = 1; seed <= seeds; seed++) {
            for (Map.Entry<String, String> v : variants.entrySet()) {
                List<String> run = new ArrayList<>(sets);
                run.addAll(List.of("data.train=" + work.resolve("images"), "data.trainLabels=" + work.resolve("labels"),
                        v.getValue(), "training.seed=" + seed, "output.dir=" + work.resolve(v.getKey().replace(' ', '-')
                                + "-" + seed), "checkpoint.everyEpochs=0", "training.gradientNormsEvery=0"));
                RunConfig c = loader.load(Storage.withDefaults(), config, run);
                long start = System.nanoTime();
                new TrainingRun(c, Storage.withDefaults(), quiet, System::nanoTime, Optional.empty()).execute();
                JsonNode summary = loader.json().readTree(Path.of(c.output().dir(), "summary.json").toFile());
                double test = summary.at("/test/accuracy").asDouble();
                double train = summary.at("/train/accuracy").asDouble();
                results.computeIfAbsent(v.getKey(), k -> new double[seeds][])[seed - 1] = new double[] {test,
                    train - test};
                System.out.printf("seed %d, %-13s test %.4f  train %.4f  gap %+.4f  (%.0f s)%n", seed, v.getKey(), test,
                        train, train - test, (System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf("%n%d training examples, %d seeds, mean ± sd over seeds:%n", examples, seeds);
        System.out.printf("%-13s %-17s %-17s %s%n", "augment", "test accuracy", "train-test gap", "test vs none");
        double[] none = mean(results.get("none"), 0);
        for (Map.Entry<String, double[][]> r : results.entrySet()) {
            double[] test = mean(r.getValue(), 0);
            double[] gap = mean(r.getValue(), 1);
            System.out.printf("%-13s %.4f ± %.4f   %+.4f ± %.4f   %+.4f%n", r.getKey(), test[0], test[1], gap[0], gap[1],
                    test[0] - none[0]);
        }
    }

    /** Mean and sample standard deviation of column {@code c}. */
    private static double[] mean(double[][] rows, int c) {
        double sum = 0;
        for (double[] r : rows) {
            sum += r[c];
        }
        double mean = sum / rows.length;
        double sq = 0;
        for (double[] r : rows) {
            sq += (r[c] - mean) * (r[c] - mean);
        }
        return new double[] {mean, rows.length > 1 ? Math.sqrt(sq / (rows.length - 1)) : 0};
    }

    /** The first {@code n} rows as IDX files (28x28 unsigned bytes, labels). */
    private static void writeIdx(Examples all, int n, Path images, Path labels) throws IOException {
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(images))) {
            out.writeInt(0x00000803);
            out.writeInt(n);
            out.writeInt(28);
            out.writeInt(28);
            for (int i = 0; i < n * 784; i++) {
                out.writeByte((int) all.x()[i]);
            }
        }
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(labels))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte((int) all.y()[i]);
            }
        }
    }
}

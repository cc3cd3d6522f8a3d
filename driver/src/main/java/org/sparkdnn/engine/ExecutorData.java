package org.sparkdnn.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.DataConfig;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.Scaling;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.DataLoader;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.model.IoShape;
import org.sparkdnn.rows.DistributedRows;
import org.sparkdnn.rows.RowStats;
import org.sparkdnn.rows.RowsReader;

/**
 * {@code data.read: executors}: the run's train/validation/test splits as scaled, cached row blocks on the executors,
 * made exactly as {@link DataLoader} makes them on the driver — the same held-out split (the driver keeps one byte and
 * one int per row for it, never a row), training rows indexed 0..n−1 in file order, labels checked, classes and the
 * scaling from statistics aggregated on the executors. The driver collects only a first row (for the updater's
 * shapes) and the train-metrics sample.
 */
public final class ExecutorData implements AutoCloseable {
    private final JavaSparkContext sc;
    private final Loss loss;
    private final JavaRDD<RowBlock> train;
    private final Optional<JavaRDD<RowBlock>> validation;
    private final Optional<JavaRDD<RowBlock>> test;
    private final int trainCount;
    private final long validationCount;
    private final long testCount;
    private final int classes;
    private final IoShape shape;
    private final Scaler scaler;
    private final String trainSha;

    private ExecutorData(JavaSparkContext sc, Loss loss, JavaRDD<RowBlock> train, Optional<JavaRDD<RowBlock>> validation,
                         Optional<JavaRDD<RowBlock>> test, int trainCount, long validationCount, long testCount,
                         int classes, IoShape shape, Scaler scaler, String trainSha) {
        this.sc = sc;
        this.loss = loss;
        this.train = train;
        this.validation = validation;
        this.test = test;
        this.trainCount = trainCount;
        this.validationCount = validationCount;
        this.testCount = testCount;
        this.classes = classes;
        this.shape = shape;
        this.scaler = scaler;
        this.trainSha = trainSha;
    }

    public static ExecutorData read(JavaSparkContext sc, DataConfig data, ModelConfig model) {
        return of(sc, RowsReader.of(sc, data, model.imageShape()).read(data.train()), data, model);
    }

    /**
     * The run's splits from training rows already on the executors ({@code all}, e.g. a DataFrame's; closed here once
     * the splits are cached); validation/test files, when configured, are read as {@link #read} does.
     */
    public static ExecutorData of(JavaSparkContext sc, DistributedRows all, DataConfig data, ModelConfig model) {
        Loss loss = model.loss();
        RowsReader reader = RowsReader.of(sc, data, model.imageShape());
        Optional<DistributedRows> validationFile = data.validationFile().map(reader::read);
        Optional<DistributedRows> testFile = data.testFile().map(reader::read);
        int n = Math.toIntExact(all.count());
        int d = all.features();
        JavaRDD<RowBlock> train = all.blocks();
        Optional<JavaRDD<RowBlock>> validation = validationFile.map(DistributedRows::blocks);
        Optional<JavaRDD<RowBlock>> test = testFile.map(DistributedRows::blocks);
        int trainCount = n;
        if (data.validationFraction() > 0 || data.testFraction() > 0) {
            // DataLoader's split: test = order[0, nTest), validation = order[nTest, nTest + nVal), train = the rest,
            // re-indexed in file order
            int[] order = DataLoader.shuffled(n, data.splitSeed());
            int nTest = (int) Math.round(n * data.testFraction());
            int nVal = (int) Math.round(n * data.validationFraction());
            byte[] role = new byte[n];
            for (int i = 0; i < nTest; i++) {
                role[order[i]] = 2;
            }
            for (int i = nTest; i < nTest + nVal; i++) {
                role[order[i]] = 1;
            }
            int[] index = new int[n];
            int next = 0;
            for (int id = 0; id < n; id++) {
                index[id] = role[id] == 0 ? next++ : -1;
            }
            trainCount = next;
            Broadcast<byte[]> roles = sc.broadcast(role);
            Broadcast<int[]> indices = sc.broadcast(index);
            JavaRDD<RowBlock> source = all.blocks();
            train = select(source, roles, indices, (byte) 0);
            if (nVal > 0) {
                validation = Optional.of(select(source, roles, indices, (byte) 1));
            }
            if (nTest > 0) {
                test = Optional.of(select(source, roles, indices, (byte) 2));
            }
        }
        RowStats stats = RowStats.of(train, d);
        int classes = classes(loss, data, stats);
        for (JavaRDD<RowBlock> split : Arrays.asList(train, validation.orElse(null), test.orElse(null))) {
            if (split != null && classes > 0) {
                checkLabels(split, classes, loss, data.train());
            }
        }
        Scaler scaler = scaler(data.scaling(), stats, d, RowsReader.imageShape(data, model.imageShape())
                .or(model::imageShape));
        JavaRDD<RowBlock> scaledTrain = scaled(train, scaler);
        Optional<JavaRDD<RowBlock>> scaledValidation = validation.map(v -> scaled(v, scaler));
        Optional<JavaRDD<RowBlock>> scaledTest = test.map(t -> scaled(t, scaler));
        long validationCount = scaledValidation.map(ExecutorData::rows).orElse(0L);
        long testCount = scaledTest.map(ExecutorData::rows).orElse(0L);
        String sha = sha(scaledTrain);
        all.close(); // the scaled splits are cached now
        validationFile.ifPresent(DistributedRows::close);
        testFile.ifPresent(DistributedRows::close);
        return new ExecutorData(sc, loss, scaledTrain, scaledValidation, scaledTest, trainCount, validationCount,
                testCount, classes, new IoShape(d, loss == Loss.SOFTMAX_CROSS_ENTROPY ? classes : 1,
                        RowsReader.imageShape(data, model.imageShape()).orElse(null)), scaler,
                "executors:" + sha);
    }

    private static long rows(JavaRDD<RowBlock> blocks) {
        return blocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
    }

    private static JavaRDD<RowBlock> select(JavaRDD<RowBlock> source, Broadcast<byte[]> roles,
                                            Broadcast<int[]> indices, byte role) {
        return source.map(b -> {
            byte[] r = roles.value();
            int[] index = indices.value();
            int count = 0;
            for (int i = 0; i < b.rows(); i++) {
                count += r[b.keys()[i]] == role ? 1 : 0;
            }
            int[] rows = new int[count];
            int[] keys = new int[count];
            for (int i = 0, j = 0; i < b.rows(); i++) {
                if (r[b.keys()[i]] == role) {
                    rows[j] = i;
                    keys[j++] = role == 0 ? index[b.keys()[i]] : b.keys()[i];
                }
            }
            return b.select(rows, keys);
        });
    }

    /** As DataLoader: configured, 2 for BCE, else 1 + the largest training label; 0 for regression. */
    private static int classes(Loss loss, DataConfig data, RowStats stats) {
        if (!loss.isClassification()) {
            return 0;
        }
        if (loss == Loss.BCE_WITH_LOGITS) {
            return 2;
        }
        return data.numClasses() != null ? data.numClasses() : (int) stats.maxLabel() + 1;
    }

    private static void checkLabels(JavaRDD<RowBlock> split, int classes, Loss loss, String source) {
        List<String> problems = split.flatMap(b -> {
            for (int i = 0; i < b.rows(); i++) {
                float label = b.y()[i];
                if (label != Math.rint(label)) {
                    return List.of("row " + b.keys()[i] + ": class label must be an integer, found " + label)
                            .iterator();
                }
                if (label < 0 || label >= classes) {
                    return List.of("row " + b.keys()[i] + ": label out of range: " + (int) label + "; "
                            + (loss == Loss.BCE_WITH_LOGITS ? "bceWithLogits needs labels 0 or 1"
                            : "must be in [0, " + classes + ") (data.numClasses)")).iterator();
                }
            }
            return List.<String>of().iterator();
        }).take(1);
        if (!problems.isEmpty()) {
            throw new DataException(source, "", problems.get(0));
        }
    }

    /** Scaler.fit's formulas on the executors' sums (float statistics, so the driver path rounds to the same). */
    private static Scaler scaler(Scaling scaling, RowStats stats, int d, Optional<List<Integer>> image) {
        if (scaling == Scaling.PER_CHANNEL) {
            int channels = image.orElseThrow(() -> new ConfigException("data.scaling", "perChannel needs image rows: "
                    + "model.inputShape, or image data (cifar, images)", "perChannel")).get(0);
            double[] meanSq = new double[d];
            for (int j = 0; j < d; j++) {
                meanSq[j] = stats.sd()[j] * stats.sd()[j] + stats.mean()[j] * stats.mean()[j];
            }
            return Scaler.perChannel(stats.mean(), meanSq, channels);
        }
        float[] shift = new float[d];
        float[] scale = new float[d];
        Arrays.fill(scale, 1f);
        if (scaling == Scaling.DIVIDE255) {
            Arrays.fill(scale, 255f);
        } else if (scaling == Scaling.STANDARDIZE) {
            for (int j = 0; j < d; j++) {
                double var = stats.sd()[j] * stats.sd()[j];
                shift[j] = (float) stats.mean()[j];
                scale[j] = var > 1e-12 ? (float) stats.sd()[j] : 1f;
            }
        }
        return Scaler.of(shift, scale);
    }

    private static JavaRDD<RowBlock> scaled(JavaRDD<RowBlock> split, Scaler scaler) {
        JavaRDD<RowBlock> out = scaler.identity() ? split : split.map(b -> {
            float[] x = b.x().clone();
            scaler.applyInPlace(x, b.rows());
            return new RowBlock(b.keys(), x, b.y(), b.features());
        });
        return out.persist(StorageLevel.MEMORY_AND_DISK());
    }

    /** SHA-256 over the blocks' own SHA-256s in partition order (rows in id order within each). */
    private static String sha(JavaRDD<RowBlock> blocks) {
        List<byte[]> digests = blocks.map(b -> {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(4 * (b.x().length + b.y().length))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(b.x()).put(b.y());
            return md.digest(buf.array());
        }).collect();
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            digests.forEach(md::update);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public JavaRDD<RowBlock> train() {
        return train;
    }

    public int trainCount() {
        return trainCount;
    }

    public long validationCount() {
        return validationCount;
    }

    public long testCount() {
        return testCount;
    }

    public boolean hasValidation() {
        return validation.isPresent() && validationCount > 0;
    }

    public boolean hasTest() {
        return test.isPresent() && testCount > 0;
    }

    public int classes() {
        return classes;
    }

    public IoShape shape() {
        return shape;
    }

    public Scaler scaler() {
        return scaler;
    }

    public String trainSha() {
        return trainSha;
    }

    /** The training rows with these ids (sorted), collected to the driver in id order. */
    public ExampleMatrix trainRows(int[] sortedIds, DataType type) {
        Broadcast<int[]> wanted = sc.broadcast(sortedIds);
        List<RowBlock> parts = train.map(b -> {
            int[] ids = wanted.value();
            List<Integer> rows = new ArrayList<>();
            for (int i = 0; i < b.rows(); i++) {
                if (Arrays.binarySearch(ids, b.keys()[i]) >= 0) {
                    rows.add(i);
                }
            }
            int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
            int[] keys = Arrays.stream(r).map(i -> b.keys()[i]).toArray();
            return b.select(r, keys);
        }).collect();
        wanted.destroy();
        int d = shape.inputs();
        int n = parts.stream().mapToInt(RowBlock::rows).sum();
        float[] x = new float[n * d];
        float[] y = new float[n];
        int[] keys = new int[n];
        int at = 0;
        List<RowBlock> sorted = new ArrayList<>(parts);
        sorted.removeIf(b -> b.rows() == 0);
        sorted.sort(Comparator.comparingInt(b -> b.keys()[0]));
        for (RowBlock b : sorted) {
            System.arraycopy(b.x(), 0, x, at * d, b.rows() * d);
            System.arraycopy(b.y(), 0, y, at, b.rows());
            System.arraycopy(b.keys(), 0, keys, at, b.rows());
            at += b.rows();
        }
        return new ExampleMatrix(new Examples("train rows", "row", d, x, y, keys), loss, classes, type);
    }

    public Evaluation evaluateTrain(ComputationGraph net) {
        return DistributedEvaluation.evaluate(sc, train, net, loss, classes, null);
    }

    public Optional<Evaluation> evaluateValidation(ComputationGraph net) {
        return hasValidation() ? validation.map(v -> DistributedEvaluation.evaluate(sc, v, net, loss, classes, null))
                : Optional.empty();
    }

    public Optional<Evaluation> evaluateTest(ComputationGraph net) {
        return hasTest() ? test.map(t -> DistributedEvaluation.evaluate(sc, t, net, loss, classes, null))
                : Optional.empty();
    }

    @Override
    public void close() {
        train.unpersist(false);
        validation.ifPresent(v -> v.unpersist(false));
        test.ifPresent(t -> t.unpersist(false));
    }
}

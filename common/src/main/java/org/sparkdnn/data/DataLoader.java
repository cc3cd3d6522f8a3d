package org.sparkdnn.data;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.sparkdnn.config.BadRecords;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.DataConfig;
import org.sparkdnn.config.DataFormat;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.Scaling;
import org.sparkdnn.io.Storage;
import org.sparkdnn.model.IoShape;

/**
 * Reads the configured files, holds out seeded validation/test fractions when no files are given, checks the labels
 * against the loss, and scales the features with statistics of the training split only.
 */
public final class DataLoader {
    private final DataConfig config;
    private final Loss loss;
    private final Storage storage;
    private final Function<String, Examples> parquet;
    private List<Integer> imageShape; // model.inputShape: what data.format images scales and crops to

    public DataLoader(DataConfig config, Loss loss, Storage storage) {
        this(config, loss, storage, file -> {
            throw new DataException(file, "", "Parquet is read with Spark: the driver module's runs read it");
        });
    }

    /** @param parquet reads a Parquet file or directory into rows (Spark SQL lives in the driver module) */
    public DataLoader(DataConfig config, Loss loss, Storage storage,
                      Function<String, Examples> parquet) {
        this.config = config;
        this.loss = loss;
        this.storage = storage;
        this.parquet = parquet;
    }

    /** The loader of a run's data, with what it needs of the model (loss, input shape). */
    public static DataLoader of(RunConfig run, Storage storage) {
        return new DataLoader(run.data(), run.model().loss(), storage).withImageShape(run.model().imageShape());
    }

    /** {@code model.inputShape}, which {@code data.format: images} needs (the size every image is fitted to). */
    public DataLoader withImageShape(Optional<List<Integer>> shape) {
        this.imageShape = shape.orElse(null);
        return this;
    }

    public Splits load() {
        return load(read(config.train(), config.trainLabels()));
    }

    /**
     * The splits of {@code train}, rows already read (e.g. from a DataFrame), then as {@link #load()}: held-out
     * fractions, validation/test files, label checks, scaling.
     */
    public Splits load(Examples train) {
        Optional<Examples> validation = config.validationFile().map(f -> read(f, config.validationLabels()));
        Optional<Examples> test = config.testFile().map(f -> read(f, config.testLabels()));
        if (config.validationFraction() > 0 || config.testFraction() > 0) {
            int[] order = shuffled(train.count(), config.splitSeed());
            int nTest = (int) Math.round(train.count() * config.testFraction());
            int nVal = (int) Math.round(train.count() * config.validationFraction());
            if (nTest > 0) {
                test = Optional.of(train.select(Arrays.copyOfRange(order, 0, nTest)));
            }
            if (nVal > 0) {
                validation = Optional.of(train.select(Arrays.copyOfRange(order, nTest, nTest + nVal)));
            }
            int[] rest = Arrays.copyOfRange(order, nTest + nVal, order.length);
            Arrays.sort(rest); // keep file order: the batch plan does the shuffling
            train = train.select(rest);
        }
        if (config.trainSubset() > 0 && config.trainSubset() < train.count()) {
            // a subset of the training split alone, drawn with a seed of its own (the held-out rows stay as they are)
            int[] subset = Arrays.copyOf(shuffled(train.count(), config.splitSeed() + 1), config.trainSubset());
            Arrays.sort(subset);
            train = train.select(subset);
        }
        if (config.format() == DataFormat.SYNTHETIC) {
            train = SyntheticData.withOutliers(train, config.synthetic()); // the training rows' only, after the subset
        }
        checkWidths(train, validation);
        checkWidths(train, test);
        int classes = classes(train);
        for (Examples e : new Examples[] {train, validation.orElse(null), test.orElse(null)}) {
            if (e != null) {
                checkLabels(e, classes);
            }
        }
        Scaler scaler = Scaler.fit(config.scaling(), train, channels(train));
        return new Splits(scaler.apply(train), validation.map(scaler::apply), test.map(scaler::apply), classes,
                new IoShape(train.features(), outputs(classes), train.imageShape().orElse(null)), scaler);
    }

    private Examples read(String file, String labels) {
        switch (config.format()) {
            case CSV:
                return new CsvReader(config.delimiter(), config.header(), config.labelColumn()).read(storage, file);
            case LIBSVM:
                return new LibSvmReader(config.numFeatures()).read(storage, file);
            case PARQUET:
                return parquet.apply(file);
            case IDX:
                return new IdxReader().read(storage, file, labels);
            case CIFAR:
            case CIFAR100:
                return new CifarReader(config.format() == DataFormat.CIFAR ? 1 : 2).read(storage, file);
            case IMAGES:
                return images().read(storage, file);
            case SYNTHETIC:
                return SyntheticData.generate(file, config.synthetic());
            default:
                throw new IllegalArgumentException("unmapped format " + config.format());
        }
    }

    /** The image channels of the rows, for {@code scaling: perChannel} (0 when no other scaling needs them). */
    private int channels(Examples train) {
        if (config.scaling() != Scaling.PER_CHANNEL) {
            return 0;
        }
        List<Integer> shape = train.imageShape().orElse(imageShape);
        if (shape == null) {
            throw new ConfigException("data.scaling", "perChannel needs image rows: model.inputShape, or image data "
                    + "(IDX images, cifar, images)", "perChannel");
        }
        return shape.get(0);
    }

    /** The reader of {@code data.format: images}. */
    public ImageFolderReader images() {
        if (imageShape == null) {
            throw new ConfigException("model.inputShape", "must be set for data.format images: the [channels, "
                    + "height, width] every image is scaled and cropped to", "missing");
        }
        return new ImageFolderReader(imageShape, config.onBadRecord() == BadRecords.SKIP);
    }

    /** The held-out split's order of {@code n} rows: test first, then validation, then train (data.splitSeed). */
    public static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64 random = new SplitMix64(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static void checkWidths(Examples train, Optional<Examples> other) {
        if (other.isPresent() && other.get().features() != train.features()) {
            throw new DataException(other.get().source(), "", "has " + other.get().features()
                    + " features but the training data has " + train.features());
        }
    }

    /** Number of classes (0 for regression): configured, else 1 + the largest training label. */
    private int classes(Examples train) {
        if (!loss.isClassification()) {
            return 0;
        }
        if (loss == Loss.BCE_WITH_LOGITS) {
            return 2;
        }
        if (config.numClasses() != null) {
            return config.numClasses();
        }
        float max = 0;
        for (float label : train.y()) {
            max = Math.max(max, label);
        }
        return (int) max + 1;
    }

    private void checkLabels(Examples e, int classes) {
        if (classes == 0) {
            return;
        }
        for (int i = 0; i < e.count(); i++) {
            float label = e.y()[i];
            if (label != Math.rint(label)) {
                throw new DataException(e.source(), e.origin(i), "class label must be an integer, found " + label);
            }
            if (label < 0 || label >= classes) {
                String why = loss == Loss.BCE_WITH_LOGITS ? "bceWithLogits needs labels 0 or 1"
                        : "must be in [0, " + classes + ") (data.numClasses)";
                throw new DataException(e.source(), e.origin(i), "label out of range: " + (int) label + "; " + why);
            }
        }
    }

    private int outputs(int classes) {
        return loss == Loss.SOFTMAX_CROSS_ENTROPY ? classes : 1;
    }
}

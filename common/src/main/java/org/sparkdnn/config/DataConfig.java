package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.fraction;
import static org.sparkdnn.config.Checks.notBlank;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import java.util.Locale;
import java.util.Optional;

/**
 * Where the examples come from. Paths are Hadoop URIs ({@code file://}, {@code hdfs://}, or a plain local path);
 * {@code embedded:digits} is the UCI 8x8 digits set shipped in the jar.
 *
 * @param format             csv (default), idx, libsvm, parquet, cifar, cifar100, images, synthetic ({@link DataFormat})
 * @param train              training file (IDX: the images file)
 * @param trainLabels        IDX only: the labels file of {@code train}
 * @param validation         optional validation file (else {@code validationFraction} of train is held out)
 * @param validationLabels   IDX only
 * @param test               optional test file (else {@code testFraction} of train is held out)
 * @param testLabels         IDX only
 * @param labelColumn        CSV: the label's column, 0-based; negative counts from the end (default -1: last)
 * @param header             CSV: skip the first line (default false)
 * @param delimiter          CSV: the separator (default ",")
 * @param numClasses         classification: number of classes (default: 1 + the largest training label)
 * @param numFeatures        LibSVM: the feature count (default: the largest index seen in train)
 * @param scaling            none (default), divide255, standardize (train statistics only)
 * @param validationFraction fraction of train held out for validation when no validation file (default 0)
 * @param testFraction       fraction of train held out for test when no test file (default 0)
 * @param splitSeed          seed of the held-out split (default 1234), independent of the training seed
 * @param read               driver (default) or executors: who reads the files (executors: CSV, LibSVM, Parquet, CIFAR or
 *                           image files)
 * @param featuresField      Parquet: the features column (an ML Vector or an array of numbers; default "features");
 *                           when the file has no such column, every numeric column but the label, in schema order
 * @param labelField         Parquet: the label column (default "label")
 * @param shuffle            global (default) or partitioned: how each epoch's order is drawn ({@link DataShuffle})
 * @param augment            random transforms of training examples ({@link AugmentConfig}; default none)
 * @param onBadRecord        images: {@code fail} (default) on a file that does not decode, or {@code skip} it
 * @param trainSubset        keep only this many training rows (after the held-out split), drawn with
 *                           {@code splitSeed}: learning from a small subset (default 0: all of them)
 * @param synthetic          synthetic: the generator's parameters ({@link SyntheticConfig}); {@code train} names the
 *                           generator, validation and test are held-out fractions
 */
public record DataConfig(DataFormat format, String train, String trainLabels, String validation,
                         String validationLabels, String test, String testLabels, Integer labelColumn,
                         Boolean header, String delimiter, Integer numClasses, Integer numFeatures, Scaling scaling,
                         Double validationFraction, Double testFraction, Long splitSeed, DataRead read,
                         String featuresField, String labelField, DataShuffle shuffle,
                         AugmentConfig augment, BadRecords onBadRecord, Integer trainSubset,
                         SyntheticConfig synthetic) {
    public DataConfig {
        format = orDefault(format, DataFormat.CSV);
        notBlank("train", train);
        labelColumn = orDefault(labelColumn, -1);
        header = orDefault(header, Boolean.FALSE);
        delimiter = orDefault(delimiter, ",");
        if (delimiter.isEmpty()) {
            throw new ConfigException("delimiter", "must not be empty", "\"\"");
        }
        if (numClasses != null) {
            positive("numClasses", numClasses);
        }
        if (numFeatures != null) {
            positive("numFeatures", numFeatures);
        }
        scaling = orDefault(scaling, Scaling.NONE);
        validationFraction = fraction("validationFraction", orDefault(validationFraction, 0.0));
        testFraction = fraction("testFraction", orDefault(testFraction, 0.0));
        if (validationFraction + testFraction >= 1) {
            throw new ConfigException("testFraction", "validationFraction + testFraction must be < 1",
                    validationFraction + " + " + testFraction);
        }
        splitSeed = orDefault(splitSeed, 1234L);
        read = orDefault(read, DataRead.DRIVER);
        featuresField = orDefault(featuresField, "features");
        labelField = orDefault(labelField, "label");
        shuffle = orDefault(shuffle, DataShuffle.GLOBAL);
        augment = orDefault(augment, AugmentConfig::none);
        onBadRecord = orDefault(onBadRecord, BadRecords.FAIL);
        if (onBadRecord == BadRecords.SKIP && format != DataFormat.IMAGES) {
            throw new ConfigException("onBadRecord", "skip applies to data.format images (a file that does not "
                    + "decode); other formats fail on a bad record, naming it", "skip");
        }
        trainSubset = Checks.nonNegative("trainSubset", orDefault(trainSubset, 0));
        synthetic(format, train, validation, test, synthetic);
        if (format == DataFormat.SYNTHETIC) {
            synthetic = orDefault(synthetic, SyntheticConfig::defaults);
        }
        if (read == DataRead.EXECUTORS && (format == DataFormat.IDX || format == DataFormat.SYNTHETIC
                || train.startsWith("embedded:"))) {
            throw new ConfigException("read", "executors reads CSV, LibSVM, Parquet, CIFAR and image files; IDX, the embedded "
                    + "and the synthetic sets are read by the driver (format "
                    + format.name().toLowerCase(Locale.ROOT) + ", train " + train + ")", "executors");
        }
        if (read == DataRead.EXECUTORS && trainSubset > 0) {
            throw new ConfigException("trainSubset", "applies to data read by the driver (read: driver)", trainSubset);
        }
        if (format == DataFormat.IDX) {
            notBlank("trainLabels", trainLabels);
            requireLabelsWith("validation", validation, validationLabels);
            requireLabelsWith("test", test, testLabels);
        }
        if (validation != null && validationFraction > 0) {
            throw new ConfigException("validationFraction", "must be 0 when a validation file is given", validationFraction);
        }
        if (test != null && testFraction > 0) {
            throw new ConfigException("testFraction", "must be 0 when a test file is given", testFraction);
        }
    }

    private static void synthetic(DataFormat format, String train, String validation, String test,
                                  SyntheticConfig synthetic) {
        if (format != DataFormat.SYNTHETIC) {
            if (synthetic != null) {
                throw new ConfigException("synthetic", "applies to data.format synthetic; format is "
                        + format.key(), "set");
            }
            return;
        }
        if (!SyntheticConfig.GENERATORS.contains(train)) {
            throw new ConfigException("train", "must name a synthetic generator " + SyntheticConfig.GENERATORS
                    + " with data.format synthetic", train);
        }
        if (validation != null || test != null) {
            throw new ConfigException(validation != null ? "validation" : "test", "is a file; with data.format "
                    + "synthetic hold rows out with validationFraction / testFraction",
                    validation != null ? validation : test);
        }
        if (synthetic != null && synthetic.outliers() > 0 && "halfspace".equals(train)) {
            throw new ConfigException("synthetic.outliers", "shifts regression targets (points, teacher); halfspace "
                    + "has class labels", synthetic.outliers());
        }
    }

    private static void requireLabelsWith(String field, String file, String labels) {
        if (file != null && labels == null) {
            throw new ConfigException(field + "Labels", "must be set for an IDX " + field + " file", "missing");
        }
    }

    /** The embedded digits set, 20 % held out for test and 10 % for validation. */
    public static DataConfig embeddedDigits() {
        return new DataConfig(DataFormat.CSV, "embedded:digits", null, null, null, null, null, null, null, null,
                10, null, Scaling.NONE, 0.1, 0.2, null, null, null, null, null, null, null, null, null);
    }

    public Optional<String> validationFile() {
        return Optional.ofNullable(validation);
    }

    public Optional<String> testFile() {
        return Optional.ofNullable(test);
    }
}

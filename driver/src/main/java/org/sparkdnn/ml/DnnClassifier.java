package org.sparkdnn.ml;

import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A Spark ML classifier that trains a deep net with this trainer's engines: {@code new DnnClassifier()
 * .setConfigUri("conf/digits.yaml").setEpochs(20)} in a {@code Pipeline} after a {@code VectorAssembler}; {@code fit}
 * gives a {@link DnnModel} adding rawPrediction, probability and prediction. Labels are class indices 0..K-1. Without a
 * config the model is the trainer's default network; the loss defaults to softmax cross-entropy.
 */
public final class DnnClassifier extends DnnEstimator {
    private static final long serialVersionUID = 1L;

    public DnnClassifier() {
        this(Identifiable$.MODULE$.randomUID("dnnClassifier"));
    }

    public DnnClassifier(String uid) {
        super(uid);
    }

    @Override
    protected String defaultLoss() {
        return "softmaxCrossEntropy";
    }

    @Override
    protected boolean isClassifier() {
        return true;
    }

    public static MLReader<DnnClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static DnnClassifier load(String path) {
        return read().load(path);
    }
}

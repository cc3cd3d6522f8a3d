package org.sparkdnn.ml;

import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;

/**
 * A Spark ML regressor that trains a deep net with this trainer's engines ({@link DnnClassifier}'s twin): the label is
 * a number, the loss defaults to L2 (the config may choose L1), and its {@link DnnModel} adds {@code prediction}.
 */
public final class DnnRegressor extends DnnEstimator {
    private static final long serialVersionUID = 1L;

    public DnnRegressor() {
        this(Identifiable$.MODULE$.randomUID("dnnRegressor"));
    }

    public DnnRegressor(String uid) {
        super(uid);
    }

    @Override
    protected String defaultLoss() {
        return "l2";
    }

    @Override
    protected boolean isClassifier() {
        return false;
    }

    public static MLReader<DnnRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static DnnRegressor load(String path) {
        return read().load(path);
    }
}

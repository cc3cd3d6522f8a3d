package org.sparkdnn.ml;

import java.io.Serializable;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The params the estimators and their model share — where the features are, where the predictions go, how many rows
 * a network call takes — declared once (Spark's {@code HasFeaturesCol} pattern). Spark ML finds params by reflection
 * on public no-argument methods returning a {@code Param}: the default methods here are found on both owners (the
 * interface must be public, or Spark cannot call them).
 */
public interface PredictionParams extends Params {
    /** This owner's instances of the shared params. */
    Shared shared();

    default Param<String> featuresCol() {
        return shared().featuresCol();
    }

    default Param<String> predictionCol() {
        return shared().predictionCol();
    }

    default Param<String> probabilityCol() {
        return shared().probabilityCol();
    }

    default Param<String> rawPredictionCol() {
        return shared().rawPredictionCol();
    }

    default IntParam inferenceBatchSize() {
        return shared().inferenceBatchSize();
    }

    /** How an owner sets a default (its protected {@code setDefault}). */
    interface Defaults {
        <T> void set(Param<T> param, T value);
    }

    /** The shared params of one owner, with their docs and defaults. */
    record Shared(Param<String> featuresCol, Param<String> predictionCol, Param<String> probabilityCol,
                  Param<String> rawPredictionCol, IntParam inferenceBatchSize) implements Serializable {
        static Shared of(Params owner, Defaults defaults) {
            Shared s = new Shared(
                    new Param<>(owner, "featuresCol", "features column: an ML Vector or an array of numbers"),
                    new Param<>(owner, "predictionCol", "prediction column name"),
                    new Param<>(owner, "probabilityCol", "class probabilities column name (classifier)"),
                    new Param<>(owner, "rawPredictionCol", "raw prediction (logits) column name (classifier)"),
                    new IntParam(owner, "inferenceBatchSize", "rows per network call in transform"));
            defaults.set(s.featuresCol, "features");
            defaults.set(s.predictionCol, "prediction");
            defaults.set(s.probabilityCol, "probability");
            defaults.set(s.rawPredictionCol, "rawPrediction");
            defaults.set(s.inferenceBatchSize, 1024);
            return s;
        }
    }
}

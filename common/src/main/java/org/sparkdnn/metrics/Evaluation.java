package org.sparkdnn.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Metrics of a model on one split.
 *
 * @param loss     mean training loss (without regularisation terms)
 * @param accuracy fraction correct, for classification
 * @param mse      mean squared error per output, for regression
 * @param examples number of examples evaluated
 */
public record Evaluation(double loss, OptionalDouble accuracy, OptionalDouble mse, int examples) {
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss);
        accuracy.ifPresent(a -> m.put("accuracy", a));
        mse.ifPresent(v -> m.put("mse", v));
        m.put("examples", examples);
        return m;
    }
}

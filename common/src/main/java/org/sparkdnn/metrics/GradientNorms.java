package org.sparkdnn.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Per-layer L2 norms of the gradient of the mean loss (weights and biases of a layer together), in layer order: the
 * numbers that show vanishing or exploding gradients.
 */
public final class GradientNorms {
    private GradientNorms() {
    }

    /**
     * @param gradient   DL4J's gradient (variables named {@code layer_param}); a raw SUM over the batch
     * @param batchSize  divides the sum into the gradient of the mean loss
     */
    public static Map<String, Double> perLayer(Gradient gradient, int batchSize) {
        Map<String, Double> squares = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : gradient.gradientForVariable().entrySet()) {
            String key = e.getKey();
            int sep = key.lastIndexOf('_');
            String layer = sep > 0 ? key.substring(0, sep) : key;
            double norm = e.getValue().norm2Number().doubleValue() / batchSize;
            squares.merge(layer, norm * norm, Double::sum);
        }
        Map<String, Double> norms = new LinkedHashMap<>();
        squares.forEach((layer, sq) -> norms.put(layer, Math.sqrt(sq)));
        return norms;
    }
}

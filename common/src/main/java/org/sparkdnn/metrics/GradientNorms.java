package org.sparkdnn.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.nd4j.linalg.api.buffer.DataType;
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
            double norm = norm2(e.getValue()) / batchSize;
            squares.merge(layer, norm * norm, Double::sum);
        }
        Map<String, Double> norms = new LinkedHashMap<>();
        squares.forEach((layer, sq) -> norms.put(layer, Math.sqrt(sq)));
        return norms;
    }

    /**
     * The L2 norm, exact for float arrays whose entries are tiny or huge too: a float norm squares in float, so
     * entries below about 1e-19 (vanishing gradients) would count as 0 and above 1e19 as infinite; such arrays are
     * measured again in double (only they pay for the copy).
     */
    static double norm2(INDArray values) {
        double norm = values.norm2Number().doubleValue();
        if (values.dataType() != DataType.DOUBLE && !(norm >= 1e-15 && norm <= 1e15)) {
            norm = values.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        }
        return norm;
    }
}

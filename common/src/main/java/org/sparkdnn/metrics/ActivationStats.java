package org.sparkdnn.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-layer statistics of the network's outputs on a fixed sample, in inference mode: what shows activations
 * saturating, collapsing or exploding with depth (lecture 000, "Just right"), recorded beside the gradient norms.
 * Per layer, over its output on the sample (computed in double):
 * <ul>
 *   <li>{@code mean} and {@code std}: over every value (examples × units);</li>
 *   <li>{@code inputStd}: each unit's standard deviation across the examples, averaged over the units — how much the
 *       layer's output still depends on the input (≈ 0: the layer ignores its input);</li>
 *   <li>{@code zeroUnits}: the fraction of units whose output is exactly 0 for every example (dead ReLUs).</li>
 * </ul>
 */
public final class ActivationStats {
    private ActivationStats() {
    }

    /** {layer: {mean, std, inputStd}} for every layer of {@code net}, in topological order, on {@code features}. */
    public static Map<String, Map<String, Double>> perLayer(ComputationGraph net, INDArray features) {
        Map<String, INDArray> outputs = net.feedForward(features, false);
        Map<String, Map<String, Double>> stats = new LinkedHashMap<>();
        for (String name : net.getConfiguration().getTopologicalOrderStr()) {
            INDArray out = outputs.get(name);
            if (out == null || net.getConfiguration().getNetworkInputs().contains(name)) {
                continue;
            }
            stats.put(name, of(out));
        }
        return stats;
    }

    /** The statistics of one layer's output, examples along dimension 0. */
    static Map<String, Double> of(INDArray output) {
        long n = output.size(0);
        INDArray rows = output.castTo(DataType.DOUBLE).reshape('c', n, output.length() / n);
        double mean = rows.meanNumber().doubleValue();
        double std = n * rows.size(1) > 1 ? rows.stdNumber().doubleValue() : 0.0;
        double inputStd = n > 1 ? rows.std(0).meanNumber().doubleValue() : 0.0;
        double zeroUnits = Transforms.abs(rows).max(0).eq(0.0).castTo(DataType.DOUBLE).meanNumber().doubleValue();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mean", mean);
        m.put("std", std);
        m.put("inputStd", inputStd);
        m.put("zeroUnits", zeroUnits);
        return m;
    }
}

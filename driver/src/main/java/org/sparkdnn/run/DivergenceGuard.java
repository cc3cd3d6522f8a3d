package org.sparkdnn.run;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Stops the run at the first NaN/Inf loss, gradient norm or parameter, naming the step and the layer. */
final class DivergenceGuard {
    private DivergenceGuard() {
    }

    static void check(ComputationGraph net, double loss, long step, int epoch, Map<String, Double> norms) {
        String where = "step " + step + " (epoch " + (epoch + 1) + ")";
        Map<String, Double> bad = new java.util.TreeMap<>();
        norms.forEach((layer, norm) -> {
            if (!Double.isFinite(norm)) {
                bad.put(layer, norm);
            }
        });
        if (!bad.isEmpty()) {
            throw diverged(where + ": loss " + loss + "; non-finite gradient norm in layer" + (bad.size() > 1 ? "s " : " ")
                    + bad);
        }
        boolean paramsFinite = Double.isFinite(net.params().sumNumber().doubleValue());
        if (Double.isFinite(loss) && paramsFinite) {
            return;
        }
        String layer = paramsFinite ? "" : "; first non-finite parameters: " + firstBadVariable(net);
        throw diverged(where + ": training loss is " + loss + layer);
    }

    private static String firstBadVariable(ComputationGraph net) {
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            if (!Double.isFinite(e.getValue().sumNumber().doubleValue())) {
                return "layer '" + e.getKey().substring(0, Math.max(0, e.getKey().lastIndexOf('_'))) + "' (" + e.getKey() + ")";
            }
        }
        return "none found";
    }

    private static DivergenceException diverged(String what) {
        return new DivergenceException("training diverged at " + what + ". Lower optimizer.learningRate or set "
                + "optimizer.clipNorm; the outputs of earlier runs and checkpoints were left untouched.");
    }
}

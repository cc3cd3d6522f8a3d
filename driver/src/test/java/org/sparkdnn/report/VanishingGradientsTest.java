package org.sparkdnn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.io.Storage;

/**
 * conf/deep-sigmoid.yaml shows the lecture's vanishing gradients: in a 20-layer sigmoid MLP each layer multiplies
 * the backpropagated gradient by sigma' &lt;= 1/4 and a weight matrix, so the first layer's gradient norm is orders of
 * magnitude below the last hidden layer's; the same net with ReLU and He init keeps them within one order.
 */
class VanishingGradientsTest {
    @TempDir
    Path tmp;

    private static double worstRatio(Path run, boolean smallest) throws Exception {
        List<Map<String, Object>> records = RunData.load(Storage.withDefaults(), run.toString()).ofType("gradientNorms");
        assertEquals(8, records.size(), "40 steps, norms every 5");
        double worst = smallest ? Double.POSITIVE_INFINITY : 0;
        for (Map<String, Object> r : records) {
            double ratio = RunData.number(r, "norms.layer0") / RunData.number(r, "norms.layer19");
            worst = smallest ? Math.min(worst, ratio) : Math.max(worst, ratio);
        }
        return worst;
    }

    @Test
    void inTheDeepSigmoidNetTheFirstLayersGradientIsSixOrdersOfMagnitudeBelowTheLastHiddenLayers() throws Exception {
        Path run = ReportRuns.train("deep-sigmoid.yaml", tmp.resolve("sigmoid"), "training.epochs=1");
        double largest = worstRatio(run, false);
        assertTrue(largest < 1e-6, "norm(layer0) / norm(layer19) at most " + largest);
    }

    @Test
    void withReluAndHeInitTheSameDepthKeepsTheGradientNormsWithinAnOrderOfMagnitude() throws Exception {
        Path run = ReportRuns.train("deep-sigmoid.yaml", tmp.resolve("relu"), "training.epochs=1",
                "model.activation=relu", "model.weightInit=he", "optimizer.learningRate=0.01");
        double smallest = worstRatio(run, true);
        assertTrue(smallest > 0.1, "norm(layer0) / norm(layer19) at least " + smallest);
    }
}

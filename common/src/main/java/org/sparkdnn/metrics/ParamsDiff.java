package org.sparkdnn.metrics;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How far apart two models' parameters are: max |a − b| and max |a − b| / max |a| over all parameters (in double).
 * Both maps must hold the same variables with the same shapes.
 */
public record ParamsDiff(double maxAbs, double maxRel) {
    public static ParamsDiff of(Map<String, INDArray> a, Map<String, INDArray> b) {
        double maxAbs = 0;
        double maxA = 0;
        for (String name : a.keySet()) {
            INDArray x = a.get(name).castTo(DataType.DOUBLE);
            INDArray y = b.get(name).castTo(DataType.DOUBLE);
            maxAbs = Math.max(maxAbs, x.sub(y).amaxNumber().doubleValue());
            maxA = Math.max(maxA, x.amaxNumber().doubleValue());
        }
        return new ParamsDiff(maxAbs, maxA > 0 ? maxAbs / maxA : maxAbs);
    }
}

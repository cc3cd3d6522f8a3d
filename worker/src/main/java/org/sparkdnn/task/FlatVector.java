package org.sparkdnn.task;

import java.io.Serializable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A flat vector (the parameters, a gradient) as Spark ships it: plain Java values in the network's floating-point
 * type, exactly one of {@code floats} and {@code doubles} set. A plain class, not a record: Kryo's default serializer
 * (a user's own session, without this project's registrator) cannot set a record's fields.
 */
public final class FlatVector implements Serializable {
    private static final long serialVersionUID = 1L;
    private final float[] floats;
    private final double[] doubles;

    public FlatVector(float[] floats, double[] doubles) {
        if ((floats == null) == (doubles == null)) {
            throw new IllegalArgumentException("a flat vector holds floats or doubles, not both or neither");
        }
        this.floats = floats;
        this.doubles = doubles;
    }

    /** {@code values} in {@code type} (DOUBLE, else FLOAT). */
    public static FlatVector of(INDArray values, DataType type) {
        return type == DataType.DOUBLE ? new FlatVector(null, values.toDoubleVector())
                : new FlatVector(values.toFloatVector(), null);
    }

    /** The values as floats, or null when they are doubles. */
    public float[] floats() {
        return floats;
    }

    /** The values as doubles, or null when they are floats. */
    public double[] doubles() {
        return doubles;
    }

    /** As an ND4J vector of its own type. */
    public INDArray toNd4j() {
        return doubles != null ? Nd4j.createFromArray(doubles) : Nd4j.createFromArray(floats);
    }

    /** Its ND4J type. */
    public DataType type() {
        return doubles != null ? DataType.DOUBLE : DataType.FLOAT;
    }
}

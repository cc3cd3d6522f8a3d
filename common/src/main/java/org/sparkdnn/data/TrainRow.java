package org.sparkdnn.data;

/**
 * One training example as it travels through Spark: its row index in the training split, features and target.
 * Serialised by {@link org.sparkdnn.io.KryoRegistration}.
 */
public final class TrainRow {
    private final int index;
    private final float[] x;
    private final float y;

    public TrainRow(int index, float[] x, float y) {
        this.index = index;
        this.x = x;
        this.y = y;
    }

    public int index() {
        return index;
    }

    /** The features; callers must not modify them. */
    public float[] x() {
        return x;
    }

    public float y() {
        return y;
    }
}

package org.sparkdnn.data;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Many training rows in one object, as they travel through Spark: bulk arrays serialise fast (one Kryo call per
 * array) and a shuffle moves k × partitions blocks instead of one record per example. Java-serialisable too, for
 * Spark contexts without this project's Kryo registration (a user's session under the Spark ML API).
 *
 * @param keys     per row: its index in the training split (cached blocks) or its position in an epoch's order
 *                 (blocks on their way to a worker)
 * @param x        features, row-major, {@code features} per row
 * @param y        targets
 */
public record RowBlock(int[] keys, float[] x, float[] y, int features) implements Serializable {
    public RowBlock {
        if (x.length != keys.length * features || y.length != keys.length) {
            throw new IllegalArgumentException("inconsistent block: " + keys.length + " keys, " + x.length
                    + " feature values for " + features + " features, " + y.length + " targets");
        }
    }

    public int rows() {
        return keys.length;
    }

    /** This block's rows {@code rows[i]}, in that order, keyed {@code keys[i]}. */
    public RowBlock select(int[] rows, int[] keys) {
        float[] nx = new float[rows.length * features];
        float[] ny = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x, rows[i] * features, nx, i * features, features);
            ny[i] = y[rows[i]];
        }
        return new RowBlock(keys, nx, ny, features);
    }

    /** Rows {@code [from, to)} of {@code examples}, keyed by their row index. */
    public static RowBlock slice(Examples examples, int from, int to) {
        int d = examples.features();
        int[] keys = new int[to - from];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = from + i;
        }
        float[] x = Arrays.copyOfRange(examples.x(), from * d, to * d);
        float[] y = Arrays.copyOfRange(examples.y(), from, to);
        return new RowBlock(keys, x, y, d);
    }
}

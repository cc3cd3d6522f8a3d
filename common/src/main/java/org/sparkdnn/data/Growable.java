package org.sparkdnn.data;

import java.util.Arrays;

/** Accumulates rows of features and labels of unknown count; used by the text readers. */
final class Growable {
    private float[] x = new float[1024];
    private float[] y = new float[64];
    private int[] origins = new int[64];
    private int xSize;
    private int n;

    void addLabel(float label, int origin) {
        if (n == y.length) {
            y = Arrays.copyOf(y, n * 2);
            origins = Arrays.copyOf(origins, n * 2);
        }
        y[n] = label;
        origins[n] = origin;
    }

    void addFeatures(float[] row) {
        while (xSize + row.length > x.length) {
            x = Arrays.copyOf(x, x.length * 2);
        }
        System.arraycopy(row, 0, x, xSize, row.length);
        xSize += row.length;
        n++;
    }

    int size() {
        return n;
    }

    Examples toExamples(String source, String originKind, int features) {
        return new Examples(source, originKind, features, Arrays.copyOf(x, xSize), Arrays.copyOf(y, n), Arrays.copyOf(origins, n));
    }
}

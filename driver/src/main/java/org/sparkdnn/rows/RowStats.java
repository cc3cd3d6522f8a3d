package org.sparkdnn.rows;

import org.apache.spark.api.java.JavaRDD;
import org.sparkdnn.data.RowBlock;

/**
 * What the driver needs to know of the data, without its rows: count, per-feature mean and standard deviation
 * (population), label range.
 */
public record RowStats(long count, double[] mean, double[] sd, double minLabel, double maxLabel) {
    /** The statistics of {@code blocks} of {@code features}-wide rows, aggregated on the executors. */
    public static RowStats of(JavaRDD<RowBlock> blocks, int features) {
        double[] zero = new double[2 * features + 3];
        zero[2 * features + 1] = Double.POSITIVE_INFINITY;
        zero[2 * features + 2] = Double.NEGATIVE_INFINITY;
        int d = features;
        double[] total = blocks.treeAggregate(zero, (acc, b) -> {
            double[] a = acc.clone();
            for (int i = 0; i < b.rows(); i++) {
                for (int j = 0; j < d; j++) {
                    double v = b.x()[i * d + j];
                    a[j] += v;
                    a[d + j] += v * v;
                }
                a[2 * d] += 1;
                a[2 * d + 1] = Math.min(a[2 * d + 1], b.y()[i]);
                a[2 * d + 2] = Math.max(a[2 * d + 2], b.y()[i]);
            }
            return a;
        }, (a, b) -> {
            double[] c = new double[a.length];
            for (int i = 0; i < 2 * d + 1; i++) {
                c[i] = a[i] + b[i];
            }
            c[2 * d + 1] = Math.min(a[2 * d + 1], b[2 * d + 1]);
            c[2 * d + 2] = Math.max(a[2 * d + 2], b[2 * d + 2]);
            return c;
        });
        long n = (long) total[2 * d];
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = total[j] / n;
            sd[j] = Math.sqrt(Math.max(0, total[d + j] / n - mean[j] * mean[j]));
        }
        return new RowStats(n, mean, sd, total[2 * d + 1], total[2 * d + 2]);
    }
}

package org.sparkdnn.data;

import java.util.Locale;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.SyntheticConfig;

/**
 * The generators of {@code data.format: synthetic} ({@link SyntheticConfig}): rows computed from a seed with the
 * project's SplitMix64 (Gaussians by Box–Muller), so that the same parameters give the same bytes everywhere.
 */
public final class SyntheticData {
    private SyntheticData() {
    }

    /** The rows of generator {@code name}; an unknown name is a config error naming {@code data.train}. */
    public static Examples generate(String name, SyntheticConfig c) {
        SplitMix64 random = new SplitMix64(c.seed());
        int n = c.count();
        int d = c.features();
        float[] x = new float[n * d];
        float[] y = new float[n];
        int[] origins = new int[n];
        switch (name.toLowerCase(Locale.ROOT)) {
            case "points":
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        x[i * d + j] = (float) (2 * random.nextDouble() - 1);
                    }
                    y[i] = (float) (c.strength() * Math.sin(Math.PI * x[i * d]) + c.noise() * gaussian(random));
                    origins[i] = i;
                }
                break;
            case "teacher":
                double[] u = unit(random, d);
                for (int i = 0; i < n; i++) {
                    double target = 0;
                    for (int j = 0; j < d; j++) {
                        x[i * d + j] = (float) (c.inputScale(j) * gaussian(random));
                        target += u[j] * x[i * d + j];
                    }
                    y[i] = (float) (c.strength() * target + c.noise() * gaussian(random));
                    origins[i] = i;
                }
                break;
            case "halfspace":
                double[] w = unit(random, d);
                for (int i = 0; i < n; i++) {
                    double margin = 0;
                    for (int j = 0; j < d; j++) {
                        x[i * d + j] = (float) (c.inputScale(j) * gaussian(random));
                        margin += w[j] * x[i * d + j];
                    }
                    y[i] = margin + c.noise() * gaussian(random) > 0 ? 1f : 0f;
                    origins[i] = i;
                }
                break;
            default:
                throw new ConfigException("data.train", "must name a synthetic generator " + SyntheticConfig.GENERATORS
                        + " with data.format synthetic", name);
        }
        return new Examples("synthetic:" + name, "row", d, x, y, origins);
    }

    /**
     * The training split with {@code outliers} of its rows (a seeded draw) shifted by {@code outlierShift}; the same
     * rows when there are none to shift.
     */
    public static Examples withOutliers(Examples train, SyntheticConfig c) {
        int shifted = (int) Math.round(train.count() * c.outliers());
        if (shifted == 0) {
            return train;
        }
        float[] y = train.y().clone();
        int[] order = DataLoader.shuffled(train.count(), c.seed() + 2);
        for (int i = 0; i < shifted; i++) {
            y[order[i]] += (float) (double) c.outlierShift();
        }
        return train.withTargets(y);
    }

    /** A unit vector in d dimensions, uniform on the sphere. */
    private static double[] unit(SplitMix64 random, int d) {
        double[] u = new double[d];
        double norm = 0;
        for (int j = 0; j < d; j++) {
            u[j] = gaussian(random);
            norm += u[j] * u[j];
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < d; j++) {
            u[j] /= norm;
        }
        return u;
    }

    /** A standard normal draw (Box–Muller, one of the pair). */
    static double gaussian(SplitMix64 random) {
        double u1 = random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
    }
}

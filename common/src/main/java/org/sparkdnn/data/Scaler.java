package org.sparkdnn.data;

import java.io.Serializable;
import java.util.Arrays;
import org.sparkdnn.config.Scaling;

/** Per-feature affine scaling x ↦ (x − shift)/scale, fitted on the training split only ({@link Scaling}). */
public final class Scaler implements Serializable {
    private final float[] shift;
    private final float[] scale;

    private Scaler(float[] shift, float[] scale) {
        this.shift = shift;
        this.scale = scale;
    }

    public static Scaler fit(Scaling scaling, Examples train) {
        return fit(scaling, train, 0);
    }

    /** @param channels for {@code perChannel}: the rows' image channels (each a contiguous block of features) */
    public static Scaler fit(Scaling scaling, Examples train, int channels) {
        int d = train.features();
        float[] shift = new float[d];
        float[] scale = new float[d];
        Arrays.fill(scale, 1f);
        if (scaling == Scaling.DIVIDE255) {
            Arrays.fill(scale, 255f);
        } else if (scaling == Scaling.STANDARDIZE || scaling == Scaling.PER_CHANNEL) {
            double[] sum = new double[d];
            double[] sumSq = new double[d];
            float[] x = train.x();
            for (int i = 0; i < train.count(); i++) {
                for (int j = 0; j < d; j++) {
                    double v = x[i * d + j];
                    sum[j] += v;
                    sumSq[j] += v * v;
                }
            }
            if (scaling == Scaling.PER_CHANNEL) {
                double[] mean = new double[d];
                double[] meanSq = new double[d];
                for (int j = 0; j < d; j++) {
                    mean[j] = sum[j] / train.count();
                    meanSq[j] = sumSq[j] / train.count();
                }
                return perChannel(mean, meanSq, channels);
            }
            for (int j = 0; j < d; j++) {
                double mean = sum[j] / train.count();
                double var = Math.max(0, sumSq[j] / train.count() - mean * mean);
                shift[j] = (float) mean;
                scale[j] = var > 1e-12 ? (float) Math.sqrt(var) : 1f; // constant feature: centre only
            }
        }
        return new Scaler(shift, scale);
    }

    /**
     * {@code perChannel} from per-feature means and means of squares: the features of a channel are a contiguous
     * block of d/channels, each seen equally often, so the channel's mean and E[x²] are their averages.
     */
    public static Scaler perChannel(double[] mean, double[] meanSq, int channels) {
        int d = mean.length;
        if (channels <= 0 || d % channels != 0) {
            throw new IllegalArgumentException(d + " features are not " + channels + " equal channels");
        }
        int per = d / channels;
        float[] shift = new float[d];
        float[] scale = new float[d];
        for (int c = 0; c < channels; c++) {
            double m = 0;
            double sq = 0;
            for (int j = c * per; j < (c + 1) * per; j++) {
                m += mean[j];
                sq += meanSq[j];
            }
            m /= per;
            double var = Math.max(0, sq / per - m * m);
            Arrays.fill(shift, c * per, (c + 1) * per, (float) m);
            Arrays.fill(scale, c * per, (c + 1) * per, var > 1e-12 ? (float) Math.sqrt(var) : 1f);
        }
        return new Scaler(shift, scale);
    }

    /** A scaler from its statistics (as {@link #shift()} and {@link #scale()} returned them). */
    public static Scaler of(float[] shift, float[] scale) {
        if (shift.length != scale.length) {
            throw new IllegalArgumentException("shift and scale of different widths: " + shift.length + ", "
                    + scale.length);
        }
        return new Scaler(shift.clone(), scale.clone());
    }

    public float[] shift() {
        return shift.clone();
    }

    public float[] scale() {
        return scale.clone();
    }

    /** Whether it changes nothing (scaling: none). */
    public boolean identity() {
        for (int j = 0; j < shift.length; j++) {
            if (shift[j] != 0f || scale[j] != 1f) {
                return false;
            }
        }
        return true;
    }

    /** Scales {@code rows} rows of {@code x} (row-major, {@code shift.length} wide) in place. */
    public void applyInPlace(float[] x, int rows) {
        int d = shift.length;
        for (int i = 0; i < rows * d; i++) {
            x[i] = (x[i] - shift[i % d]) / scale[i % d];
        }
    }

    public Examples apply(Examples e) {
        int d = e.features();
        float[] in = e.x();
        float[] out = new float[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = (in[i] - shift[i % d]) / scale[i % d];
        }
        return e.withFeatures(d, out);
    }
}

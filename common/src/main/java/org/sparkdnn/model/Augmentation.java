package org.sparkdnn.model;

import java.util.Objects;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.sparkdnn.config.AugmentConfig;

/**
 * {@code data.augment}: random transforms of each training example, as the "dropout" of a DL4J {@code DropoutLayer}
 * on the network's input — so they apply in training only (never to validation, test, evaluate or predict), on
 * whichever worker computes the example, in every engine. Like {@link CounterDropout} each example's draw is a pure
 * function of (seed, optimizer step, the example's position in its global batch) — the step and position name the
 * epoch and the example through the batch plan — read from {@link DropoutContext}; so {@code sync}, {@code reference}
 * and {@code local} transform every example alike for any worker count, and a resumed run draws what an
 * uninterrupted one draws, with nothing saved.
 *
 * <p>Per example: rotate by θ ~ U(±degrees) about the centre (bilinear, zeros outside), mirror left–right with
 * probability ½, move by whole pixels (shift and random crop: each −n..n per axis, zeros filling in), then add
 * N(0, std²) noise. Rows are {@code channels·height·width} values, channel first; every channel moves alike. The
 * transform is linear in the pixels, so backprop sends each output gradient back to the pixels it came from (the
 * network's input gradient is not used in training, but it is the true one). Draws: {@code u_k = mix64(rowKey +
 * k·γ) ≫ 11 · 2⁻⁵³} with {@code rowKey} as {@link CounterDropout}'s for the pseudo-layer {@value #AUGMENT_LAYER}.
 */
public final class Augmentation implements IDropout {
    private static final long serialVersionUID = 1L;
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    /** The key's layer slot: no network has this many layers, so the draws are independent of every dropout mask. */
    static final int AUGMENT_LAYER = 1 << 30;
    private static final int NOISE_DRAWS = 16; // u_k for k >= 16 are the noise's

    private final long seed;
    private final int channels;
    private final int height;
    private final int width;
    private final int cropPadding;
    private final boolean flip;
    private final int shiftPixels;
    private final double rotateDegrees;
    private final double noiseStd;
    private transient int[] tapSource; // per row, output pixel, tap: source pixel (or -1)
    private transient double[] tapWeight;
    private transient int taps;
    private transient int rows;

    public Augmentation(@JsonProperty("seed") long seed, @JsonProperty("channels") int channels,
                        @JsonProperty("height") int height, @JsonProperty("width") int width,
                        @JsonProperty("cropPadding") int cropPadding, @JsonProperty("flip") boolean flip,
                        @JsonProperty("shiftPixels") int shiftPixels,
                        @JsonProperty("rotateDegrees") double rotateDegrees,
                        @JsonProperty("noiseStd") double noiseStd) {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be > 0, was " + channels + "x" + height + "x" + width);
        }
        this.seed = seed;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.cropPadding = cropPadding;
        this.flip = flip;
        this.shiftPixels = shiftPixels;
        this.rotateDegrees = rotateDegrees;
        this.noiseStd = noiseStd;
    }

    /** The transforms of {@code config} on images of {@code [channels, height, width]}. */
    public static Augmentation of(AugmentConfig config, long seed, int channels, int height, int width) {
        return new Augmentation(seed, channels, height, width,
                config.randomCrop() == null ? 0 : config.randomCrop().padding(), config.horizontalFlip(),
                config.shift() == null ? 0 : config.shift().pixels(),
                config.rotate() == null ? 0 : config.rotate().degrees(),
                config.gaussianNoise() == null ? 0 : config.gaussianNoise().std());
    }

    public long getSeed() {
        return seed;
    }

    public int getChannels() {
        return channels;
    }

    public int getHeight() {
        return height;
    }

    public int getWidth() {
        return width;
    }

    public int getCropPadding() {
        return cropPadding;
    }

    public boolean isFlip() {
        return flip;
    }

    public int getShiftPixels() {
        return shiftPixels;
    }

    public double getRotateDegrees() {
        return rotateDegrees;
    }

    public double getNoiseStd() {
        return noiseStd;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        int n = (int) input.size(0);
        int pixels = height * width;
        if (input.length() != (long) n * channels * pixels) {
            throw new IllegalStateException("augmentation of " + channels + "x" + height + "x" + width
                    + " images got rows of " + input.length() / Math.max(n, 1) + " values");
        }
        DropoutContext.Batch batch = DropoutContext.of(n, iteration);
        double[] in = input.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[in.length];
        taps = rotateDegrees > 0 ? 4 : 1;
        rows = n;
        tapSource = new int[n * pixels * taps];
        tapWeight = new double[n * pixels * taps];
        for (int r = 0; r < n; r++) {
            long rowKey = CounterDropout.rowKey(seed, batch.step(), AUGMENT_LAYER, batch.positions()[r]);
            plan(rowKey, r * pixels * taps);
            int base = r * channels * pixels;
            for (int c = 0; c < channels; c++) {
                int plane = base + c * pixels;
                for (int p = 0; p < pixels; p++) {
                    double v = 0;
                    for (int t = 0; t < taps; t++) {
                        int at = (r * pixels + p) * taps + t;
                        if (tapSource[at] >= 0) {
                            v += tapWeight[at] * in[plane + tapSource[at]];
                        }
                    }
                    out[plane + p] = v;
                }
            }
            if (noiseStd > 0) {
                int values = channels * pixels;
                for (int i = 0; i < values; i++) {
                    double u1 = 1.0 - uniform(rowKey, NOISE_DRAWS + 2L * i); // (0, 1]
                    double u2 = uniform(rowKey, NOISE_DRAWS + 2L * i + 1);
                    out[base + i] += noiseStd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
                }
            }
        }
        return result.assign(asArray(out, input));
    }

    /** Each output pixel's source pixels and weights for the row whose taps start at {@code at}. */
    private void plan(long rowKey, int at) {
        int dy = 0;
        int dx = 0;
        if (cropPadding > 0) {
            dy += draw(rowKey, 1, cropPadding);
            dx += draw(rowKey, 2, cropPadding);
        }
        boolean mirror = flip && uniform(rowKey, 3) < 0.5;
        if (shiftPixels > 0) {
            dy += draw(rowKey, 4, shiftPixels);
            dx += draw(rowKey, 5, shiftPixels);
        }
        double theta = rotateDegrees > 0 ? Math.toRadians((2 * uniform(rowKey, 6) - 1) * rotateDegrees) : 0;
        double cos = Math.cos(theta);
        double sin = Math.sin(theta);
        double cy = (height - 1) / 2.0;
        double cx = (width - 1) / 2.0;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int first = at + (y * width + x) * taps;
                for (int t = 0; t < taps; t++) {
                    tapSource[first + t] = -1;
                }
                int y1 = y - dy;
                int x1 = x - dx;
                if (y1 < 0 || y1 >= height || x1 < 0 || x1 >= width) {
                    continue; // moved in from outside: zero
                }
                int x2 = mirror ? width - 1 - x1 : x1;
                if (taps == 1) {
                    tapSource[first] = y1 * width + x2;
                    tapWeight[first] = 1.0;
                    continue;
                }
                // the source point that rotation by θ about the centre carries onto (y1, x2)
                double sy = cy + cos * (y1 - cy) + sin * (x2 - cx);
                double sx = cx - sin * (y1 - cy) + cos * (x2 - cx);
                int y0 = (int) Math.floor(sy);
                int x0 = (int) Math.floor(sx);
                double fy = sy - y0;
                double fx = sx - x0;
                tap(first, y0, x0, (1 - fy) * (1 - fx));
                tap(first + 1, y0, x0 + 1, (1 - fy) * fx);
                tap(first + 2, y0 + 1, x0, fy * (1 - fx));
                tap(first + 3, y0 + 1, x0 + 1, fy * fx);
            }
        }
    }

    private void tap(int at, int y, int x, double weight) {
        if (y >= 0 && y < height && x >= 0 && x < width && weight != 0) {
            tapSource[at] = y * width + x;
            tapWeight[at] = weight;
        }
    }

    /** −n..n, uniformly, from draw {@code k}. */
    private static int draw(long rowKey, long k, int n) {
        return (int) Math.floor(uniform(rowKey, k) * (2 * n + 1)) - n;
    }

    private static double uniform(long rowKey, long k) {
        return (CounterDropout.mix64(rowKey + (k + 1) * GAMMA) >>> 11) * 0x1.0p-53;
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (tapSource == null) {
            throw new IllegalStateException("augmentation backprop without a forward pass in training mode");
        }
        int pixels = height * width;
        double[] g = gradAtOutput.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] back = new double[g.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < channels; c++) {
                int plane = (r * channels + c) * pixels;
                for (int p = 0; p < pixels; p++) {
                    for (int t = 0; t < taps; t++) {
                        int at = (r * pixels + p) * taps + t;
                        if (tapSource[at] >= 0) {
                            back[plane + tapSource[at]] += tapWeight[at] * g[plane + p];
                        }
                    }
                }
            }
        }
        clear();
        return gradAtInput.assign(asArray(back, gradAtOutput));
    }

    private static INDArray asArray(double[] values, INDArray like) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(values, like.shape(), 'c').castTo(like.dataType());
        }
    }

    @Override
    public void clear() {
        tapSource = null;
        tapWeight = null;
    }

    @Override
    public IDropout clone() {
        return new Augmentation(seed, channels, height, width, cropPadding, flip, shiftPixels, rotateDegrees,
                noiseStd);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Augmentation a && a.seed == seed && a.channels == channels && a.height == height
                && a.width == width && a.cropPadding == cropPadding && a.flip == flip && a.shiftPixels == shiftPixels
                && a.rotateDegrees == rotateDegrees && a.noiseStd == noiseStd;
    }

    @Override
    public int hashCode() {
        return Objects.hash(seed, channels, height, width, cropPadding, flip, shiftPixels, rotateDegrees, noiseStd);
    }

    @Override
    public String toString() {
        return "Augmentation(" + channels + "x" + height + "x" + width + ", crop " + cropPadding + ", flip " + flip
                + ", shift " + shiftPixels + ", rotate " + rotateDegrees + ", noise " + noiseStd + ")";
    }
}

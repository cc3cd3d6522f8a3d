package org.sparkdnn.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Examples as read from a file: n rows of d float features (row-major) and one float target each (a class index
 * for classification). {@code origins[i]} is the 1-based line (text formats) or 0-based record (IDX) of row i, for
 * error messages.
 */
public final class Examples {
    private final String source;
    private final String originKind;
    private final int count;
    private final int features;
    private final float[] x;
    private final float[] y;
    private final int[] origins;
    private List<Integer> image; // [channels, height, width] where the format says it; null otherwise

    public Examples(String source, String originKind, int features, float[] x, float[] y, int[] origins) {
        if (x.length != (long) y.length * features || origins.length != y.length) {
            throw new IllegalArgumentException("inconsistent example arrays for " + source);
        }
        this.source = source;
        this.originKind = originKind;
        this.count = y.length;
        this.features = features;
        this.x = x;
        this.y = y;
        this.origins = origins;
    }

    /** The same rows, said to be row-major images of {@code [channels, height, width]}. */
    public Examples withImage(List<Integer> shape) {
        if ((long) shape.get(0) * shape.get(1) * shape.get(2) != features) {
            throw new IllegalArgumentException("image shape " + shape + " does not hold " + features + " features");
        }
        Examples e = new Examples(source, originKind, features, x, y, origins);
        e.image = List.copyOf(shape);
        return e;
    }

    /** {@code [channels, height, width]} when the file format says the rows are images (IDX images, cifar). */
    public Optional<List<Integer>> imageShape() {
        return Optional.ofNullable(image);
    }

    public String source() {
        return source;
    }

    public int count() {
        return count;
    }

    public int features() {
        return features;
    }

    /** Row-major features; callers must not modify them. */
    public float[] x() {
        return x;
    }

    public float[] y() {
        return y;
    }

    /** "line 17" or "record 3", where row {@code i} came from. */
    public String origin(int i) {
        return originKind + " " + origins[i];
    }

    /** SHA-256 of the features and targets (little-endian floats): the fingerprint a resumed run checks. */
    public String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (float[] array : new float[][] {x, y}) {
                for (float v : array) {
                    if (!buf.hasRemaining()) {
                        digest.update(buf.array(), 0, buf.position());
                        buf.clear();
                    }
                    buf.putFloat(v);
                }
            }
            digest.update(buf.array(), 0, buf.position());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The rows {@code rows}, in that order. */
    public Examples select(int[] rows) {
        float[] nx = new float[rows.length * features];
        float[] ny = new float[rows.length];
        int[] no = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x, rows[i] * features, nx, i * features, features);
            ny[i] = y[rows[i]];
            no[i] = origins[rows[i]];
        }
        Examples e = new Examples(source, originKind, features, nx, ny, no);
        e.image = image;
        return e;
    }

    /** The same labels and origins with other features ({@code newFeatures} per row). */
    public Examples withFeatures(int newFeatures, float[] newX) {
        Examples e = new Examples(source, originKind, newFeatures, newX, y, origins);
        e.image = newFeatures == features ? image : null;
        return e;
    }

    /** The same features and origins with other targets. */
    public Examples withTargets(float[] newY) {
        Examples e = new Examples(source, originKind, features, x, newY, origins);
        e.image = image;
        return e;
    }
}

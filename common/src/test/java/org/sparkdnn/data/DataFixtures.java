package org.sparkdnn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;

/** Builds small data files in a test's temporary folder and loads them the way a run does. */
final class DataFixtures {
    private DataFixtures() {
    }

    /** Loads the splits of the run config {@code yaml} through {@link DataLoader} and the default storage. */
    static Splits load(String yaml) {
        RunConfig config = new ConfigLoader().parse("test.yaml", yaml, List.of());
        return new DataLoader(config.data(), config.model().loss(), Storage.withDefaults()).load();
    }

    static String write(Path dir, String name, String text) {
        return write(dir, name, text.getBytes(StandardCharsets.UTF_8));
    }

    static String write(Path dir, String name, byte[] bytes) {
        try {
            Path file = dir.resolve(name);
            Files.write(file, bytes);
            return file.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An IDX file of unsigned bytes: magic 0x000008NN, the dimensions as big-endian ints, then {@code data}. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buffer.put(new byte[] {0, 0, 8, (byte) dims.length});
        for (int dim : dims) {
            buffer.putInt(dim);
        }
        return buffer.put(data).array();
    }

    /** {@code n} images of rows×cols pixels where pixel j of image i is {@code (7 i + 3 j) mod 256}. */
    static byte[] idxImages(int n, int rows, int cols) {
        byte[] data = new byte[n * rows * cols];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < rows * cols; j++) {
                data[i * rows * cols + j] = (byte) pixel(i, j);
            }
        }
        return idx(new int[] {n, rows, cols}, data);
    }

    static int pixel(int image, int index) {
        return (7 * image + 3 * index) % 256;
    }

    /** {@code labels} as an IDX labels file. */
    static byte[] idxLabels(int... labels) {
        byte[] data = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            data[i] = (byte) labels[i];
        }
        return idx(new int[] {labels.length}, data);
    }

    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] prefix(byte[] bytes, int length) {
        return java.util.Arrays.copyOf(bytes, length);
    }
}

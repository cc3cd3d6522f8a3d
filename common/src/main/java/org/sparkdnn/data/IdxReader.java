package org.sparkdnn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.sparkdnn.io.Storage;

/**
 * Reads IDX files (MNIST's format, plain or .gz): an images file of unsigned bytes with dimensions (n, rows, cols)
 * or (n, d) and a labels file of n unsigned bytes. Magic: two zero bytes, type 0x08 (unsigned byte), dimension count.
 */
public final class IdxReader {
    private static final int UNSIGNED_BYTE = 0x08;

    public Examples read(Storage storage, String imagesUri, String labelsUri) {
        Tensor images = readTensor(storage, imagesUri);
        Tensor labels = readTensor(storage, labelsUri);
        if (images.dims.length < 2) {
            throw new DataException(imagesUri, "header", "an images file needs at least 2 dimensions, found " + images.dims.length);
        }
        if (labels.dims.length != 1) {
            throw new DataException(labelsUri, "header", "a labels file has 1 dimension, found " + labels.dims.length);
        }
        if (images.dims[0] != labels.dims[0]) {
            throw new DataException(labelsUri, "header", "holds " + labels.dims[0] + " labels but " + imagesUri
                    + " holds " + images.dims[0] + " images");
        }
        int n = images.dims[0];
        int d = images.data.length / Math.max(1, n);
        float[] x = new float[images.data.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = images.data[i] & 0xFF;
        }
        float[] y = new float[n];
        int[] origins = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.data[i] & 0xFF;
            origins[i] = i;
        }
        Examples examples = new Examples(labelsUri, "record", d, x, y, origins);
        // (n, rows, cols) images are one channel; (n, rows, cols, channels) stores each pixel's channels together
        if (images.dims.length == 3) {
            return examples.withImage(List.of(1, images.dims[1], images.dims[2]));
        }
        return examples;
    }

    private static final class Tensor {
        final int[] dims;
        final byte[] data;

        Tensor(int[] dims, byte[] data) {
            this.dims = dims;
            this.data = data;
        }
    }

    private static Tensor readTensor(Storage storage, String uri) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(storage.open(uri), 1 << 16))) {
            int[] magic = {in.read(), in.read(), in.read(), in.read()};
            if (magic[3] < 0) {
                throw new DataException(uri, "header", "truncated: shorter than the 4-byte magic number");
            }
            if (magic[0] != 0 || magic[1] != 0 || magic[2] != UNSIGNED_BYTE || magic[3] < 1 || magic[3] > 4) {
                throw new DataException(uri, "header", String.format(
                        "wrong magic number 0x%02x%02x%02x%02x: expected 0x000008NN (unsigned bytes, NN = 1..4 dimensions)",
                        magic[0], magic[1], magic[2], magic[3]));
            }
            int[] dims = new int[magic[3]];
            long size = 1;
            for (int i = 0; i < dims.length; i++) {
                dims[i] = readDim(in, uri, i);
                size *= dims[i];
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new DataException(uri, "header", "too large: " + size + " values");
            }
            byte[] data = new byte[(int) size];
            int read = in.readNBytes(data, 0, data.length);
            if (read < data.length) {
                long recordSize = size / Math.max(1, dims[0]);
                throw new DataException(uri, "record " + (read / Math.max(1, recordSize)),
                        "truncated: expected " + size + " data bytes for dimensions " + Arrays.toString(dims)
                                + ", found " + read);
            }
            return new Tensor(dims, data);
        } catch (IOException e) {
            throw new DataException(uri, "", "cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static int readDim(DataInputStream in, String uri, int i) throws IOException {
        try {
            int dim = in.readInt();
            if (dim < 0) {
                throw new DataException(uri, "header", "dimension " + i + " is negative: " + dim);
            }
            return dim;
        } catch (EOFException e) {
            throw new DataException(uri, "header", "truncated: dimension " + i + " missing");
        }
    }
}

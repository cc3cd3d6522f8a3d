package org.sparkdnn.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.sparkdnn.io.Storage;

/**
 * The CIFAR-10/100 binary format ({@code data.format: cifar | cifar100}): fixed records of the label byte(s) and
 * 3,072 pixel bytes — 1,024 red, 1,024 green, 1,024 blue, each plane 32×32 row-major — so a row is a [3, 32, 32]
 * image, channel first, values 0..255. CIFAR-100 records have two label bytes, coarse then fine; the fine label (0..99)
 * is the target. A file or a directory of files (sorted by name: data_batch_1.bin … 5); rows in file then record
 * order.
 */
public final class CifarReader implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    public static final List<Integer> SHAPE = List.of(3, 32, 32);
    static final int PIXELS = 3 * 32 * 32;

    private final int labelBytes;

    /** @param labelBytes 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine) */
    public CifarReader(int labelBytes) {
        if (labelBytes != 1 && labelBytes != 2) {
            throw new IllegalArgumentException("CIFAR records have 1 or 2 label bytes, not " + labelBytes);
        }
        this.labelBytes = labelBytes;
    }

    public int recordBytes() {
        return labelBytes + PIXELS;
    }

    /** Every record of {@code uri} (a file or directory), as [3, 32, 32] images. */
    public Examples read(Storage storage, String uri) {
        List<FileStatus> files = files(storage, uri);
        List<RowBlock> blocks = new ArrayList<>();
        int rows = 0;
        for (FileStatus f : files) {
            String file = f.getPath().toString();
            try (InputStream in = storage.openRaw(file)) {
                RowBlock b = parse(file, in, f.getLen(), rows);
                blocks.add(b);
                rows = Math.addExact(rows, b.rows());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        float[] x = new float[Math.multiplyExact(rows, PIXELS)];
        float[] y = new float[rows];
        int[] origins = new int[rows];
        for (RowBlock b : blocks) {
            int first = b.keys()[0];
            System.arraycopy(b.x(), 0, x, first * PIXELS, b.x().length);
            System.arraycopy(b.y(), 0, y, first, b.rows());
        }
        for (int i = 0; i < rows; i++) {
            origins[i] = i;
        }
        return new Examples(uri, "record", PIXELS, x, y, origins).withImage(SHAPE);
    }

    /** The data files of {@code uri}, each a whole number of records (checked by length, before reading any). */
    public List<FileStatus> files(Storage storage, String uri) {
        List<FileStatus> files;
        try {
            files = storage.files(uri);
        } catch (java.io.FileNotFoundException e) {
            throw new DataException(uri, "", "no such file or directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri, e);
        }
        if (files.isEmpty()) {
            throw new DataException(uri, "", "a directory without data files");
        }
        for (FileStatus f : files) {
            if (f.getLen() == 0 || f.getLen() % recordBytes() != 0) {
                throw new DataException(f.getPath().toString(), "record " + f.getLen() / recordBytes(), "truncated or "
                        + "not CIFAR: " + f.getLen() + " bytes is not a whole number of " + recordBytes() + "-byte "
                        + "records (" + labelBytes + " label byte" + (labelBytes == 1 ? "" : "s") + " + 3072 pixels; "
                        + "data.format " + (labelBytes == 1 ? "cifar is CIFAR-10, cifar100 CIFAR-100)" : "cifar100 is "
                        + "CIFAR-100, cifar CIFAR-10)"));
            }
        }
        return files;
    }

    /** The records of one file of {@code length} bytes, keyed {@code firstId} on. */
    public RowBlock parse(String file, InputStream raw, long length, int firstId) throws IOException {
        int records = Math.toIntExact(length / recordBytes());
        float[] x = new float[Math.multiplyExact(records, PIXELS)];
        float[] y = new float[records];
        int[] keys = new int[records];
        byte[] record = new byte[recordBytes()];
        DataInputStream in = new DataInputStream(raw);
        for (int r = 0; r < records; r++) {
            try {
                in.readFully(record);
            } catch (EOFException e) {
                throw new DataException(file, "record " + r, "truncated: the file ended inside it", e);
            }
            y[r] = record[labelBytes - 1] & 0xFF;
            for (int i = 0; i < PIXELS; i++) {
                x[r * PIXELS + i] = record[labelBytes + i] & 0xFF;
            }
            keys[r] = firstId + r;
        }
        return new RowBlock(keys, x, y, PIXELS);
    }
}

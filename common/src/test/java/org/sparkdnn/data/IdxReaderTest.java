package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.sparkdnn.data.DataFixtures.gzip;
import static org.sparkdnn.data.DataFixtures.idx;
import static org.sparkdnn.data.DataFixtures.idxImages;
import static org.sparkdnn.data.DataFixtures.idxLabels;
import static org.sparkdnn.data.DataFixtures.pixel;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.io.Storage;

/** IDX: unsigned-byte images (n, rows, cols) flattened row-major to rows·cols features, plus a labels file. */
class IdxReaderTest {
    private static final int[] LABELS = {3, 0, 9, 1, 4};

    @TempDir
    Path dir;

    private Examples read(String images, String labels) {
        return new IdxReader().read(Storage.withDefaults(), images, labels);
    }

    @Test
    void readsImagesAsFlattenedRowsAndTheirLabels() {
        Examples e = read(DataFixtures.write(dir, "images.idx", idxImages(5, 2, 3)),
                DataFixtures.write(dir, "labels.idx", idxLabels(LABELS)));
        assertEquals(5, e.count());
        assertEquals(6, e.features());
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(pixel(i, j), e.x()[i * 6 + j], "image " + i + " pixel " + j);
            }
            assertEquals(LABELS[i], e.y()[i]);
        }
        assertEquals("record 0", e.origin(0));
        assertEquals("record 4", e.origin(4));
    }

    @Test
    void gzippedFilesReadTheSameValuesAsPlainOnes() {
        Examples plain = read(DataFixtures.write(dir, "images.idx", idxImages(5, 2, 3)),
                DataFixtures.write(dir, "labels.idx", idxLabels(LABELS)));
        Examples gz = read(DataFixtures.write(dir, "images.idx.gz", gzip(idxImages(5, 2, 3))),
                DataFixtures.write(dir, "labels.idx.gz", gzip(idxLabels(LABELS))));
        assertArrayEquals(plain.x(), gz.x());
        assertArrayEquals(plain.y(), gz.y());
        assertEquals(plain.features(), gz.features());
    }

    @Test
    void bytesAreUnsigned() {
        byte[] pixels = {(byte) 255, (byte) 128, 127, 0};
        Examples e = read(DataFixtures.write(dir, "images.idx", idx(new int[] {2, 2}, pixels)),
                DataFixtures.write(dir, "labels.idx", idxLabels(200, 1)));
        assertArrayEquals(new float[] {255, 128, 127, 0}, e.x());
        assertArrayEquals(new float[] {200, 1}, e.y());
    }

    @Test
    void twoDimensionalImagesFileHasOneFeaturePerColumn() {
        Examples e = read(DataFixtures.write(dir, "images.idx", idx(new int[] {3, 2}, new byte[] {1, 2, 3, 4, 5, 6})),
                DataFixtures.write(dir, "labels.idx", idxLabels(0, 1, 0)));
        assertEquals(2, e.features());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, e.x());
    }
}

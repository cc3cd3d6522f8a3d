package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.io.Storage;

/** CSV: one example per line, features in column order around the label column, blank lines skipped. */
class CsvReaderTest {
    @TempDir
    Path dir;

    private Examples read(String content, String delimiter, boolean header, int labelColumn) {
        String file = DataFixtures.write(dir, "a.csv", content);
        return new CsvReader(delimiter, header, labelColumn).read(Storage.withDefaults(), file);
    }

    @Test
    void readsLabelFromTheLastColumnByDefault() {
        Examples e = read("1,2,0\n3.5,-4,1\n", ",", false, -1);
        assertEquals(2, e.count());
        assertEquals(2, e.features());
        assertArrayEquals(new float[] {1, 2, 3.5f, -4}, e.x());
        assertArrayEquals(new float[] {0, 1}, e.y());
    }

    @Test
    void skipsTheHeaderAndSplitsOnACustomDelimiterWithTheLabelInColumnZero() {
        Examples e = read("label;a;b\n2;1.5;-3\n0;4;5e-1\n", ";", true, 0);
        assertEquals(2, e.features());
        assertArrayEquals(new float[] {1.5f, -3, 4, 0.5f}, e.x());
        assertArrayEquals(new float[] {2, 0}, e.y());
        assertEquals("line 2", e.origin(0), "lines are counted from the header");
        assertEquals("line 3", e.origin(1));
    }

    @Test
    void labelColumnInTheMiddleKeepsTheOtherFeaturesInOrder() {
        Examples e = read("10,1,20,30\n", ",", false, 1);
        assertArrayEquals(new float[] {10, 20, 30}, e.x());
        assertArrayEquals(new float[] {1}, e.y());
    }

    @Test
    void negativeLabelColumnCountsFromTheEnd() {
        Examples e = read("10,1,20\n", ",", false, -2);
        assertArrayEquals(new float[] {10, 20}, e.x());
        assertArrayEquals(new float[] {1}, e.y());
    }

    @Test
    void delimiterIsLiteralTextNotARegularExpression() {
        Examples e = read("1|2|0\n", "|", false, -1);
        assertArrayEquals(new float[] {1, 2}, e.x());
    }

    @Test
    void tabDelimitedCellsMayCarrySurroundingSpaces() {
        Examples e = read(" 1\t 2 \t0\n", "\t", false, -1);
        assertArrayEquals(new float[] {1, 2}, e.x());
        assertArrayEquals(new float[] {0}, e.y());
    }

    @Test
    void blankLinesAreSkippedButCounted() {
        Examples e = read("\n1,0\n\n2,1\n", ",", false, -1);
        assertEquals(2, e.count());
        assertEquals("line 2", e.origin(0));
        assertEquals("line 4", e.origin(1));
    }

    @Test
    void readsManyRowsBeyondTheInitialBuffers() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append(i).append(',').append(-i).append(',').append(i % 3).append('\n');
        }
        Examples e = read(sb.toString(), ",", false, -1);
        assertEquals(1000, e.count());
        assertEquals(999f, e.x()[2 * 999]);
        assertEquals(-999f, e.x()[2 * 999 + 1]);
        assertEquals(0f, e.y()[999]);
        assertEquals("line 1000", e.origin(999));
    }

    @Test
    void gzippedCsvReadsTheSameAsPlain() {
        String content = "1,2,0\n3,4,1\n";
        String plain = DataFixtures.write(dir, "a.csv", content);
        String gz = DataFixtures.write(dir, "a.csv.gz", DataFixtures.gzip(content.getBytes(StandardCharsets.UTF_8)));
        CsvReader reader = new CsvReader(",", false, -1);
        Examples a = reader.read(Storage.withDefaults(), plain);
        Examples b = reader.read(Storage.withDefaults(), gz);
        assertArrayEquals(a.x(), b.x());
        assertArrayEquals(a.y(), b.y());
    }
}

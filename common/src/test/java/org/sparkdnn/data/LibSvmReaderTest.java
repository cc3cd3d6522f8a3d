package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.io.Storage;

/** LibSVM: sparse 1-based {@code index:value} pairs densified to numFeatures columns; '#' starts a comment. */
class LibSvmReaderTest {
    @TempDir
    Path dir;

    private static final String SPARSE = "# a comment line\n1 1:0.5 3:2\n0 2:-1   # trailing comment\n\n-1\n";

    private Examples read(String content, Integer numFeatures) {
        String file = DataFixtures.write(dir, "a.svm", content);
        return new LibSvmReader(numFeatures).read(Storage.withDefaults(), file);
    }

    @Test
    void densifiesToTheConfiguredNumberOfFeatures() {
        Examples e = read(SPARSE, 4);
        assertEquals(3, e.count());
        assertEquals(4, e.features());
        assertArrayEquals(new float[] {
            0.5f, 0, 2, 0,
            0, -1, 0, 0,
            0, 0, 0, 0}, e.x());
        assertArrayEquals(new float[] {1, 0, -1}, e.y());
    }

    @Test
    void withoutNumFeaturesUsesTheLargestIndexSeen() {
        Examples e = read(SPARSE, null);
        assertEquals(3, e.features());
        assertArrayEquals(new float[] {0.5f, 0, 2, 0, -1, 0, 0, 0, 0}, e.x());
    }

    @Test
    void originsAreTheFileLinesIncludingCommentsAndBlankLines() {
        Examples e = read(SPARSE, null);
        assertEquals("line 2", e.origin(0));
        assertEquals("line 3", e.origin(1));
        assertEquals("line 5", e.origin(2));
    }

    @Test
    void acceptsTabsAndRepeatedSpacesBetweenPairs() {
        Examples e = read("2\t1:1e-3  \t 2:4\n", null);
        assertArrayEquals(new float[] {0.001f, 4}, e.x());
        assertArrayEquals(new float[] {2}, e.y());
    }
}

package org.sparkdnn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Storage reads and writes plain local paths and file:// URIs, gunzips .gz files and serves embedded sets. */
class StorageTest {
    private final Storage storage = Storage.withDefaults();

    @TempDir
    Path dir;

    @Test
    void writeAtomicallyThenReadGivesTheBytesBackAndLeavesNoTemporaryFile() throws IOException {
        String uri = dir.resolve("a.txt").toString();
        storage.writeAtomically(uri, "first".getBytes(StandardCharsets.UTF_8));
        storage.writeAtomically(uri, "second".getBytes(StandardCharsets.UTF_8));
        assertEquals("second", storage.readString(uri));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.filter(f -> !f.getFileName().toString().endsWith(".crc")).count(),
                    "only a.txt (and Hadoop's checksum files) remain");
        }
    }

    @Test
    void readsFileUrisLikePlainPaths() throws IOException {
        Path file = Files.writeString(dir.resolve("b.txt"), "hello");
        assertEquals("hello", storage.readString(file.toUri().toString()));
        assertTrue(storage.exists(file.toUri().toString()));
        assertFalse(storage.exists(dir.resolve("missing").toString()));
    }

    @Test
    void gunzipsFilesEndingInGzButNotTheirRawBytes() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write("zipped".getBytes(StandardCharsets.UTF_8));
        }
        Path file = Files.write(dir.resolve("c.txt.GZ"), bytes.toByteArray());
        assertEquals("zipped", storage.readString(file.toString()));
        try (InputStream raw = storage.openRaw(file.toString())) {
            assertArrayEquals(bytes.toByteArray(), raw.readAllBytes());
        }
    }

    @Test
    void embeddedDigitsAreReadable() throws IOException {
        String text = storage.readString("embedded:digits");
        assertEquals(1797, text.lines().count());
    }

    @Test
    void unknownEmbeddedSetNamesTheKnownOnes() {
        FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> storage.open("embedded:mnist"));
        assertEquals("embedded:mnist: no embedded data set named 'mnist' (known: digits)", e.getMessage());
    }

    @Test
    void aFileWhoseWriterDiedBetweenDeleteAndRenameIsReadFromItsNewestCompleteTemporary() throws IOException {
        String target = dir.resolve("state.json").toString();
        assertTrue(storage.readWritten(target).isEmpty());
        storage.writeAtomically(target, "v1".getBytes(StandardCharsets.UTF_8));
        assertEquals("v1", storage.readWritten(target).orElseThrow());
        // the writer of v3 had written and synced its temporary and deleted state.json when it was killed
        Files.writeString(dir.resolve(".state.json.tmp-1"), "v2");
        Files.writeString(dir.resolve(".state.json.tmp-2"), "v3");
        Files.setLastModifiedTime(dir.resolve(".state.json.tmp-1"), java.nio.file.attribute.FileTime.fromMillis(1000));
        assertEquals("v1", storage.readWritten(target).orElseThrow(), "the file wins while it exists");
        Files.delete(dir.resolve("state.json"));
        assertEquals("v3", storage.readWritten(target).orElseThrow());
    }
}

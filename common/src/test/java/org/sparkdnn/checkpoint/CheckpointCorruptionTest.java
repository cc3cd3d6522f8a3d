package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkdnn.config.ConfigLoader;

/** A damaged newest checkpoint is detected, reported by name, and the previous valid one is used instead. */
class CheckpointCorruptionTest {
    @TempDir
    Path dir;

    static Stream<Arguments> damages() {
        return Stream.of(
                Arguments.of("truncated model.zip", (Consumer<Path>) c -> truncate(c.resolve("model.zip")),
                        "model.zip fails verification"),
                Arguments.of("one flipped byte (bad checksum)", (Consumer<Path>) c -> flipByte(c.resolve("model.zip")),
                        "model.zip fails verification"),
                Arguments.of("missing manifest", (Consumer<Path>) c -> delete(c.resolve("manifest.json")),
                        "manifest.json is missing"),
                Arguments.of("missing model.zip", (Consumer<Path>) c -> delete(c.resolve("model.zip")),
                        "model.zip is missing"),
                Arguments.of("garbage manifest", (Consumer<Path>) c -> write(c.resolve("manifest.json"), "{not json"),
                        "manifest.json is unreadable"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void aDamagedNewestCheckpointIsReportedAndThePreviousOneIsUsed(String name, Consumer<Path> damage, String problem)
            throws Exception {
        CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration(), new ConfigLoader().json());
        store.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        store.write(CheckpointStoreHdfsTest.manifest(20, null), CheckpointStoreHdfsTest.model(20));
        damage.accept(dir.resolve("ckpt-0000000020"));
        List<String> problems = new ArrayList<>();
        Checkpoint used = store.loadLatestValid(problems).orElseThrow();
        assertEquals(10, used.manifest().step());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("ckpt-0000000020") && problems.get(0).contains(problem), problems.get(0));
    }

    @org.junit.jupiter.api.Test
    void pruningKeepsACheckpointWhoseManifestItCannotReadBecauseItMightBeTheBest() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration(), new ConfigLoader().json());
        store.write(CheckpointStoreHdfsTest.manifest(10, 0.1), CheckpointStoreHdfsTest.model(10));
        store.write(CheckpointStoreHdfsTest.manifest(20, 0.5), CheckpointStoreHdfsTest.model(20));
        store.write(CheckpointStoreHdfsTest.manifest(30, 0.9), CheckpointStoreHdfsTest.model(30));
        store.write(CheckpointStoreHdfsTest.manifest(40, 0.95), CheckpointStoreHdfsTest.model(40));
        write(dir.resolve("ckpt-0000000010/manifest.json"), "{not json");
        List<Long> deleted = store.prune(1, 1);
        // kept: 40 (newest), 20 (best readable), 10 (cannot be judged, may be the best)
        assertEquals(List.of(30L), deleted);
        assertTrue(Files.exists(dir.resolve("ckpt-0000000010")) && Files.exists(dir.resolve("ckpt-0000000020")));
    }

    @org.junit.jupiter.api.Test
    void aCheckpointDirectoryCreatedMeanwhileByAnotherWriterIsNeitherReplacedNorNested() throws Exception {
        CheckpointStore store = new CheckpointStore(dir.toString(), new Configuration(), new ConfigLoader().json());
        Path theirs = Files.createDirectories(dir.resolve("ckpt-0000000010"));
        Files.writeString(theirs.resolve("marker"), "another writer's");
        CheckpointException e = org.junit.jupiter.api.Assertions.assertThrows(CheckpointException.class,
                () -> store.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10)));
        assertTrue(e.getMessage().contains("ckpt-0000000010 already exists"), e.getMessage());
        try (Stream<Path> inside = Files.list(theirs)) {
            assertEquals(List.of("marker"), inside.map(p -> p.getFileName().toString()).toList(), "nothing moved into it");
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("_tmp-ckpt")), "the temporary is gone");
        }
    }

    private static void truncate(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(f.length() / 2);
            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void flipByte(Path file) {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xFF);
            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
            Files.deleteIfExists(file.resolveSibling("." + file.getFileName() + ".crc"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package org.sparkdnn.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sparkdnn.io.Storage;

/** Every example config shipped in the repository's {@code conf/} folder is valid. */
class ConfFolderTest {
    /** The repository's conf/ folder, seen from the common module (surefire's working directory). */
    private static final Path CONF = Path.of("..", "conf");

    static List<Path> confFiles() throws IOException {
        try (Stream<Path> files = Files.list(CONF)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void confFolderHoldsAtLeastOneYamlFile() throws IOException {
        assertTrue(Files.isDirectory(CONF), () -> CONF.toAbsolutePath() + " is not a directory");
        assertFalse(confFiles().isEmpty(), () -> "no *.yaml in " + CONF.toAbsolutePath());
    }

    @ParameterizedTest(name = "conf/{0} is a valid config")
    @MethodSource("confFiles")
    void everyConfFileParses(Path file) {
        RunConfig config = assertDoesNotThrow(
                () -> new ConfigLoader().load(Storage.withDefaults(), file.toString(), List.of()),
                () -> "conf/" + file.getFileName() + " is invalid");
        assertFalse(config.data().train().isBlank(), () -> "conf/" + file.getFileName() + " names training data");
    }
}

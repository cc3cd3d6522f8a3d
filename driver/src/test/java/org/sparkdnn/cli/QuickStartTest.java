package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's quick-start config trains end to end through the CLI and writes every output. */
class QuickStartTest {
    @TempDir
    Path out;

    @Test
    void digitsQuickStartConfigTrainsAboveNinetyPercentAndWritesAllOutputs() throws Exception {
        int status = Main.run("train", "--config", "../conf/digits.yaml", "--set", "training.epochs=8",
                "--output", out.toString());
        assertEquals(0, status);
        for (String file : new String[] {"model.zip", "summary.json", "metrics.jsonl", "config.yaml"}) {
            assertTrue(Files.size(out.resolve(file)) > 0, file + " written");
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals(8, summary.get("epochs").asInt());
        assertTrue(summary.get("test").get("accuracy").asDouble() > 0.9, summary.toString());
        assertEquals(64, summary.get("paramsSha256").asText().length());
    }
}

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

        // evaluate: the saved model on the run's test split gives the summary's test metrics
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream original = System.out;
        System.setOut(new java.io.PrintStream(captured, true));
        try {
            assertEquals(0, Main.run("evaluate", "--model", out.resolve("model.zip").toString()));
            assertEquals(0, Main.run("compare", out.resolve("model.zip").toString(), out.resolve("model.zip").toString()));
        } finally {
            System.setOut(original);
        }
        String printed = captured.toString();
        JsonNode evaluated = new ObjectMapper().readTree(printed.substring(printed.indexOf('{'), printed.indexOf('}') + 1));
        assertEquals(summary.get("test").get("accuracy").asDouble(), evaluated.get("accuracy").asDouble(), 1e-9);
        assertTrue(printed.contains("max abs diff: 0.0") && printed.contains("max rel diff: 0.0"), printed);
    }

    @Test
    void compareExitsWithOneForModelsOfDifferentShapes() throws Exception {
        assertEquals(0, Main.run("train", "--config", "../conf/digits.yaml", "--set", "training.maxSteps=2",
                "--set", "cluster.engine=local", "--output", out.resolve("a").toString()));
        assertEquals(0, Main.run("train", "--config", "../conf/digits.yaml", "--set", "training.maxSteps=2",
                "--set", "cluster.engine=local", "--set", "model.layers.0.units=8", "--output", out.resolve("b").toString()));
        assertEquals(1, Main.run("compare", out.resolve("a/model.zip").toString(), out.resolve("b/model.zip").toString()));
    }
}

package org.sparkdnn.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start as a user runs it, through scripts/trainer and the shaded jar, with output that is not a
 * terminal (as in CI or a spark-submit log): at most 50 lines, no INFO line, every epoch's losses and validation
 * accuracy and the final metrics; --verbose brings the logs back; train.log always has them.
 */
class QuickStartConsoleIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private List<String> trainer(Path out, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(ROOT.resolve("scripts/trainer").toString(), "train",
                "--config", ROOT.resolve("conf/digits.yaml").toString(), "--output", out.toString()));
        cmd.addAll(List.of(extra));
        Path log = tmp.resolve(out.getFileName() + ".console");
        Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the quick start finishes");
        List<String> lines = Files.readAllLines(log);
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        return lines;
    }

    @Test
    void theQuickStartPrintsAtMostFiftyLinesWithEveryEpochAndTheFinalMetricsAndNoInfoLogs() throws Exception {
        Path out = tmp.resolve("digits");
        List<String> lines = trainer(out);
        String all = String.join("\n", lines);
        assertTrue(lines.size() <= 50, lines.size() + " lines:\n" + all);
        assertTrue(lines.stream().noneMatch(l -> l.contains(" INFO ")), all);
        assertTrue(lines.stream().noneMatch(l -> l.contains("native-hadoop") || l.contains("loopback address")
                || l.contains("SPARK_LOCAL_IP")), "the known warnings are kept off: " + all);
        com.fasterxml.jackson.databind.JsonNode summary = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(out.resolve("summary.json").toFile());
        int epochs = summary.get("epochs").asInt();
        assertTrue(epochs == 30 || summary.get("stoppedEarly").asBoolean() && lines.stream()
                .anyMatch(l -> l.startsWith("early stopping: ")), "30 epochs or a said early stop:\n" + all);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            String prefix = "epoch " + epoch + "/30  step ";
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(prefix) && l.contains("train loss ")
                    && l.contains("validation loss ") && l.contains("accuracy ")), "epoch " + epoch + ":\n" + all);
        }
        for (String split : new String[] {"train ", "validation ", "test "}) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith(split) && l.matches(".*\\d\\.\\d{4}\\s+\\d\\.\\d{4}.*")),
                    "final " + split + "loss and accuracy:\n" + all);
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Spark UI: http://")), all);
        assertTrue(lines.contains("report: " + out + "/report.html"), all);
        String trainLog = Files.readString(out.resolve("train.log"));
        assertTrue(trainLog.contains(" INFO [") && trainLog.contains("ParameterServer"), "train.log has the logs");
        assertTrue(Files.size(out.resolve("report.html")) > 0);
    }

    @Test
    void verboseBringsTheLogsBackToTheConsole() throws Exception {
        List<String> lines = trainer(tmp.resolve("verbose"), "--verbose", "--set", "training.epochs=2");
        long info = lines.stream().filter(l -> l.contains(" INFO ")).count();
        assertTrue(info > 20, info + " INFO lines:\n" + String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("INFO ParameterServer")), "the trainer's own logs");
    }
}

package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cluster.SparkJvm;

/**
 * The driver JVM is killed with SIGKILL in the middle of a sync run (Spark local mode inside it; both exchanges); the
 * same command started again resumes from the newest checkpoint and ends with the uninterrupted run's paramsSha256 —
 * also for an image model with dropout and every augmentation (keyed by step and position: nothing to save), and for
 * one with synchronized BatchNorm (its running statistics are checkpointed parameters).
 */
class DriverKillIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private ProcessBuilder trainer(Path out, String log, String exchange) {
        List<String> jvm = List.of("-Xmx1g", "-Dspark.driver.host=127.0.0.1", "-Dspark.driver.bindAddress=127.0.0.1",
                "-Dspark.ui.enabled=false");
        List<String> cmd = new ArrayList<>(SparkJvm.command(jvm, System.getProperty("java.class.path"),
                "org.sparkdnn.cli.Main", List.of()));
        cmd.addAll(List.of("train", "--config", ROOT.resolve("conf/digits.yaml").toString(),
                "--set", "training.epochs=6", "--set", "training.patience=0",
                "--set", "checkpoint.everySteps=20", "--set", "cluster.exchange=" + exchange.replaceAll("\\+.*", ""),
                "--output", out.toString()));
        if (exchange.endsWith("+cnn")) {
            // an image model (float, through oneDNN) with dropout between conv layers and every augmentation
            cmd.addAll(List.of("--set", "model.inputShape=[1, 8, 8]", "--set", "model.layers=[{type: conv2d, "
                    + "filters: 6, kernel: 3, padding: same, dropout: 0.1}, {type: maxPool}, {type: residualConv, "
                    + "filters: 8}, {units: 24}]", "--set", "data.augment={randomCrop: {padding: 1}, horizontalFlip: "
                    + "true, shift: {pixels: 1}, rotate: {degrees: 8}, gaussianNoise: {std: 0.05}}"));
        }
        if (exchange.endsWith("+bn")) {
            // synchronized BatchNorm after a conv layer, in a residual block and after a dense layer: its running
            // statistics are parameters, so the checkpoint carries them
            cmd.addAll(List.of("--set", "model.inputShape=[1, 8, 8]", "--set", "model.layers=[{type: conv2d, "
                    + "filters: 6, kernel: 3, padding: same, activation: identity}, {type: batchNorm, activation: relu},"
                    + " {type: maxPool}, {type: residualConv, filters: 8, batchNorm: true}, {units: 24},"
                    + " {type: batchNorm}]"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(log).toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        return pb;
    }

    private JsonNode finish(Process p, Path out, String log) throws Exception {
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "run did not finish");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve(log)));
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    private static long checkpoints(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("ckpt-")).count();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "exchange: {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"driver", "peer", "peer+cnn", "driver+bn"})
    void aDriverKilledWithSigkillAndStartedAgainEndsWithTheUninterruptedResult(String exchange) throws Exception {
        Path whole = tmp.resolve("whole");
        JsonNode expected = finish(trainer(whole, "whole.log", exchange).start(), whole, "whole.log");

        Path run = tmp.resolve("run");
        Process first = trainer(run, "first.log", exchange).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (checkpoints(run.resolve("checkpoints")) < 2 && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(first.isAlive(), "the first run must still be training when it is killed:\n"
                + Files.readString(tmp.resolve("first.log")));
        first.destroyForcibly(); // SIGKILL on Unix
        first.waitFor(30, TimeUnit.SECONDS);
        assertTrue(!Files.exists(run.resolve("summary.json")), "killed before it finished");

        JsonNode resumed = finish(trainer(run, "second.log", exchange).start(), run, "second.log");
        assertTrue(Files.readString(tmp.resolve("second.log")).contains("resuming"), "the second start resumed");
        assertEquals(expected.get("steps").asLong(), resumed.get("steps").asLong());
        assertEquals(expected.get("paramsSha256").asText(), resumed.get("paramsSha256").asText());
        assertTrue(resumed.get("resumedFrom").asText().contains("ckpt-"), resumed.toString());
        assertEquals(exchange.replaceAll("\\+.*", ""), resumed.at("/engineStats/exchange").asText());
    }
}

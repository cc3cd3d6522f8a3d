package org.sparkdnn.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.sparkdnn.metrics.Evaluation;

/** Progress output, with an injected clock: plain lines for logs, a live bar for terminals. */
class ProgressTest {
    private static final long SECOND = 1_000_000_000L;
    private static final Optional<Evaluation> VALIDATION = Optional.of(new Evaluation(0.25, OptionalDouble.of(0.9375),
            OptionalDouble.empty(), 16));

    private final AtomicLong now = new AtomicLong(0);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private List<String> lines() {
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void plainProgressPrintsOneLinePerEpochWithLossValidationSpeedAndEta() {
        Progress p = Progress.create(out, false, now::get, 2, 0, 20);
        for (int b = 1; b <= 10; b++) {
            now.addAndGet(SECOND / 2);
            p.step(0, b, b, 10, 1.5, 320.0);
        }
        p.epoch(0, 10, 1.25, VALIDATION, 320.0);
        p.close();
        // 10 steps in 5 s, 10 to go: eta 5 s
        assertEquals(List.of("epoch 1/2  step 10  train loss 1.2500  validation loss 0.2500  accuracy 0.9375  "
                + "320 examples/s  eta 0:05"), lines());
    }

    @Test
    void plainProgressAddsALineInsideAnEpochOnlyEveryTenSeconds() {
        Progress p = Progress.create(out, false, now::get, 1, 0, 100);
        for (int b = 1; b <= 30; b++) {
            now.addAndGet(SECOND);
            p.step(0, b, b, 100, 0.5, 64.0);
        }
        List<String> lines = lines();
        assertEquals(3, lines.size(), lines.toString());
        assertEquals("epoch 1/1  batch 10/100  step 10  loss 0.5000  64 examples/s  eta 1:30", lines.get(0));
    }

    @Test
    void anEtaCountsOnlyTheStepsOfThisProcessAfterAResume() {
        Eta eta = new Eta(now::get, 1000, 1100);
        assertEquals("", eta.describe(1000));
        now.addAndGet(10 * SECOND);
        assertEquals("eta 0:40", eta.describe(1020), "20 steps in 10 s, 80 to go");
        assertEquals("1:01:01", Eta.format(java.time.Duration.ofSeconds(3661)));
    }

    @Test
    void theProgressBarShowsTheEpochBatchesLossAndKeepsTheFinishedEpochOnScreen() {
        Progress p = Progress.create(out, true, now::get, 3, 0, 30);
        for (int b = 1; b <= 10; b++) {
            now.addAndGet(SECOND / 10);
            p.step(0, b, b, 10, 0.75, 100.0);
        }
        p.epoch(0, 10, 0.7, VALIDATION, 100.0);
        p.step(1, 11, 1, 10, 0.5, 100.0);
        p.close();
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains("epoch 1/3") && printed.contains("10/10"), printed);
        assertTrue(printed.contains("train loss 0.7000  validation loss 0.2500  accuracy 0.9375"), printed);
        assertTrue(printed.contains("epoch 2/3") && printed.contains("step 11  loss 0.5000  val acc 0.9375"), printed);
        assertTrue(printed.contains("\r"), "redrawn in place");
    }

    @Test
    void knownNoiseIsExactlyTheHadoopNativeAndSparkHostnameWarnings() {
        assertTrue(KnownNoise.matches("org.apache.hadoop.util.NativeCodeLoader",
                "Unable to load native-hadoop library for your platform... using builtin-java classes where applicable"));
        assertTrue(KnownNoise.matches("org.apache.spark.util.Utils",
                "Your hostname, vm resolves to a loopback address: 127.0.0.1; using 192.0.2.2 instead (on interface eth0)"));
        assertTrue(KnownNoise.matches("org.apache.spark.util.Utils", "Set SPARK_LOCAL_IP if you need to bind to another address"));
        assertTrue(!KnownNoise.matches("org.apache.spark.util.Utils", "Service 'SparkUI' could not bind on port 4040"));
        assertTrue(!KnownNoise.matches("org.sparkdnn.run.Checkpointer", "Unable to load native-hadoop library"));
        assertTrue(KnownNoise.matches("org.apache.spark.scheduler.FairSchedulableBuilder", "A job was submitted with "
                + "scheduler pool t000, which has not been configured. This can happen when …"));
    }
}

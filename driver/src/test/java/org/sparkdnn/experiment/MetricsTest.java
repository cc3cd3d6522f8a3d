package org.sparkdnn.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;

/**
 * The metrics of recorded runs, and verdicts where a time-to metric never reached its target: decided by its lower
 * bound only where that bound decides, "not computed" otherwise.
 */
class MetricsTest {
    @TempDir
    Path dir;

    /** A finished run of the given per-epoch training losses and validation accuracies. */
    private RunData run(String name, double[] losses, double[] accuracies, boolean finished) throws Exception {
        Path run = Files.createDirectories(dir.resolve(name));
        StringBuilder sb = new StringBuilder();
        for (int e = 0; e < losses.length; e++) {
            sb.append(String.format("{\"type\":\"epoch\",\"step\":%d,\"epoch\":%d,\"trainSeconds\":%d,\"trainLoss\":%s,"
                    + "\"validation\":{\"accuracy\":%s}}%n", 10 * (e + 1), e + 1, 2 * (e + 1), losses[e], accuracies[e]));
        }
        Files.writeString(run.resolve("metrics.jsonl"), sb.toString());
        if (finished) {
            Files.writeString(run.resolve("summary.json"), "{\"train\":{\"accuracy\":0.99},\"test\":{\"accuracy\":0.9}}");
        }
        return RunData.load(Storage.withDefaults(), run.toString());
    }

    @Test
    void lossAndTimeToMetrics() throws Exception {
        RunData r = run("a", new double[] {1.0, 0.5, 0.05, 0.01}, new double[] {0.5, 0.9, 0.97, 0.98}, true);
        assertEquals(1.0, Metrics.one(r, "firstLoss"));
        assertEquals(0.01, Metrics.one(r, "lastLoss"));
        assertEquals(0.5, Metrics.one(r, "trainLoss@2"));
        assertEquals(3.0, Metrics.one(r, "epochsToLoss.0.05"));
        assertEquals(3.0, Metrics.one(r, "epochsToFraction.0.1"), "0.05 <= 0.1 x 1.0 at epoch 3");
        assertEquals(3.0, Metrics.one(r, "epochsToAccuracy.0.97"));
        assertEquals(6.0, Metrics.one(r, "secondsToAccuracy.0.97"));
        assertEquals(Double.POSITIVE_INFINITY, Metrics.one(r, "epochsToLoss.0.001"));
        assertEquals(0.09, Metrics.one(r, "accuracyGap"), 1e-12);
        RunData diverged = run("b", new double[] {1.0, 0.5}, new double[] {0.5, 0.6}, false);
        assertEquals(Double.POSITIVE_INFINITY, Metrics.one(diverged, "lastLoss"), "a run without a summary diverged");
    }

    @Test
    void aTargetNeverReachedDecidesAVerdictOnlyThroughItsLowerBound() throws Exception {
        RunData fast = run("fast", new double[] {1, 0.5, 0.05}, new double[] {0.5, 0.97, 0.98}, true); // 2 epochs
        RunData slow = run("slow", new double[] {1, 0.9, 0.8}, new double[] {0.5, 0.6, 0.7}, true);   // never: > 3
        Map<String, List<RunData>> runs = Map.of("fast", List.of(fast), "slow", List.of(slow));
        // fast takes fewer epochs than slow: 2 < slow's bound 4, so it holds whatever slow's true count
        assertEquals("held", verdict(runs, "fast", "<", 1.0, "slow"));
        // fast < 0.25 x slow: 2 < 0.25 x 4 is not decided by the bound
        assertEquals("not computed", verdict(runs, "fast", "<", 0.25, "slow"));
        // slow takes more epochs than fast: slow > 4 > 2
        assertEquals("held", verdict(runs, "slow", ">", 1.0, "fast"));
        // slow < fast: slow > 4 >= 2, so it cannot hold
        assertEquals("not held", verdict(runs, "slow", "<", 1.0, "fast"));
        // slow > 3 x fast = 6: unknown, slow is only known to be > 3
        assertEquals("not computed", verdict(runs, "slow", ">", 3.0, "fast"));
        assertEquals("not computed", verdict(runs, "slow", "<", 1.0, "slow"), "both unknown");
    }

    private static String verdict(Map<String, List<RunData>> runs, String left, String op, double factor, String right) {
        ExperimentSpec.Check check = new ExperimentSpec.Check("c", new ExperimentSpec.Metric(left, "epochsToAccuracy.0.97",
                null), op, factor, new ExperimentSpec.Metric(right, "epochsToAccuracy.0.97", null), null);
        return ExperimentRunner.verdict(check, Metrics.value(runs.get(left), "epochsToAccuracy.0.97", Map.of()),
                Metrics.value(runs.get(right), "epochsToAccuracy.0.97", Map.of()), runs);
    }
}

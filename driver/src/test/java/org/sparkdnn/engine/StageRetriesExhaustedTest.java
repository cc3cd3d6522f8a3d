package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With no stage retries left, a worker failure ends the run with a message that names the setting to raise. */
class StageRetriesExhaustedTest {
    @TempDir
    Path tmp;

    @Test
    void exhaustedStageAttemptsFailTheRunWithAMessageNamingTheSetting() {
        // no shared context: the run starts its own, with spark.stage.maxConsecutiveAttempts = 1
        RuntimeException e = assertThrows(RuntimeException.class, () -> Runs.train(null, tmp.resolve("fails"),
                SyncFaultToleranceTest.CONFIG, "cluster.faultInjection.worker=0", "cluster.faultInjection.step=3",
                "cluster.maxStageAttempts=1", "cluster.master=local[2]", "cluster.stepTimeoutSeconds=30",
                "cluster.spark={spark.ui.enabled: 'false'}"));
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("cluster.maxStageAttempts"), message);
        assertTrue(message.contains("failed the maximum allowable number of times: 1"), message);
    }
}

package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code resume --from} continues a stopped run from a chosen checkpoint to the uninterrupted run's result. */
class ResumeCommandTest {
    @TempDir
    Path tmp;

    private static String[] train(Path out, String... extra) {
        String[] base = {"train", "--config", "../conf/digits.yaml", "--set", "cluster.engine=local", "--set",
                "model.dropout=0", "--set", "training.epochs=2", "--set", "checkpoint.everySteps=25", "--output",
                out.toString()};
        String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    private static String sha(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("paramsSha256").asText();
    }

    @Test
    void resumeFromACheckpointEndsWithTheUninterruptedRunsParameters() throws Exception {
        assertEquals(0, Main.run(train(tmp.resolve("whole"))));
        assertEquals(0, Main.run(train(tmp.resolve("stopped"), "--set", "training.maxSteps=60")));
        assertEquals(0, Main.run("resume", "--from", tmp.resolve("stopped/checkpoints/ckpt-0000000050").toString(),
                "--set", "training.maxSteps=0", "--output", tmp.resolve("resumed").toString()));
        assertEquals(sha(tmp.resolve("whole")), sha(tmp.resolve("resumed")));
    }

    @Test
    void resumeWithAChangedOptimizerIsRefusedWithExitStatus2() throws Exception {
        assertEquals(0, Main.run(train(tmp.resolve("stopped"), "--set", "training.maxSteps=30")));
        assertEquals(Main.USER_ERROR, Main.run("resume", "--from",
                tmp.resolve("stopped/checkpoints/ckpt-0000000025").toString(), "--set", "optimizer.learningRate=1"));
    }
}

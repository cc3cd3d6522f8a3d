package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep driver (scripts/trainer sweep, the shaded jar) is SIGKILLed after some jobs finished and while a trial
 * trains; the same command again finishes with the uninterrupted sweep's leaderboard, reruns no finished job, and
 * trains no more optimizer steps than the uninterrupted sweep had left.
 */
class SweepKillIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SWEEP = SweepRunTest.SWEEP
            .replace("training: {epochs: 4, batchSize: 64, seed: 42}",
                    "training: {epochs: 4, batchSize: 64, seed: 42}\n  checkpoint: {everySteps: 10}");

    @TempDir
    Path tmp;

    private Process start(Path out) throws Exception {
        Path file = tmp.resolve("sweep.yaml");
        Files.writeString(file, SWEEP);
        List<String> cmd = List.of(ROOT.resolve("scripts/trainer").toString(), "sweep", "--config", file.toString(),
                "--set", "search.trials=10", "--set", "base.training.batchSize=16", "--output", out.toString());
        return new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(out.getFileName() + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private JsonNode finish(Process p, Path out) throws Exception {
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the sweep finishes");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve(out.getFileName() + ".log")));
        return JSON.readTree(out.resolve("sweep.json").toFile());
    }

    private static Map<String, JsonNode> jobs(JsonNode state) {
        Map<String, JsonNode> jobs = new HashMap<>();
        state.get("jobs").forEach(j -> jobs.put(j.get("trial").asText() + "@" + j.get("rung").asInt(), j));
        return jobs;
    }

    /** A trial has a checkpoint past its last recorded job: it is training, and will resume from there. */
    private static boolean inFlightWithCheckpoint(Path run, JsonNode state) throws Exception {
        Map<String, Long> recorded = new HashMap<>();
        state.get("jobs").forEach(j -> recorded.merge(j.get("trial").asText(), j.get("steps").asLong(), Math::max));
        try (var trials = Files.list(run.resolve("trials"))) {
            for (Path trial : trials.toList()) {
                Path checkpoints = trial.resolve("checkpoints");
                if (!Files.isDirectory(checkpoints)) {
                    continue;
                }
                try (var ckpts = Files.list(checkpoints)) {
                    long newest = ckpts.map(c -> c.getFileName().toString()).filter(n -> n.matches("ckpt-\\d+"))
                            .mapToLong(n -> Long.parseLong(n.substring(5))).max().orElse(0);
                    if (newest > recorded.getOrDefault(trial.getFileName().toString(), 0L)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static long trainedSteps(Iterable<JsonNode> jobs) {
        long sum = 0;
        for (JsonNode j : jobs) {
            sum += j.get("trainedSteps").asLong();
        }
        return sum;
    }

    private static List<String> facts(Path out) throws Exception {
        List<String> rows = new ArrayList<>();
        for (JsonNode r : JSON.readTree(out.resolve("leaderboard.json").toFile()).get("rows")) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) r).remove("wallSeconds");
            rows.add(r.toString());
        }
        return rows;
    }

    @Test
    void aSweepDriverKilledMidTrialAndRestartedEndsWithTheUninterruptedLeaderboardWithoutRetraining() throws Exception {
        Path whole = tmp.resolve("whole");
        JsonNode uninterrupted = finish(start(whole), whole);

        Path run = tmp.resolve("run");
        JsonNode before = null;
        for (int attempt = 1; attempt <= 4 && before == null; attempt++) {
            Process first = start(run);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            boolean due = false;
            while (first.isAlive() && System.nanoTime() < deadline && !due) {
                if (Files.exists(run.resolve("sweep.json"))) {
                    try {
                        JsonNode state = JSON.readTree(run.resolve("sweep.json").toFile());
                        due = state.get("jobs").size() >= 4 && inFlightWithCheckpoint(run, state);
                    } catch (java.io.IOException replacedMeanwhile) {
                        // the sweep replaces sweep.json (delete + rename on the local file system): read it again
                    }
                }
                Thread.sleep(20);
            }
            assertTrue(first.isAlive(), "attempt " + attempt + " must still be running when it is killed");
            first.destroyForcibly(); // SIGKILL
            first.waitFor(30, TimeUnit.SECONDS);
            JsonNode state = JSON.readTree(run.resolve("sweep.json").toFile());
            if (inFlightWithCheckpoint(run, state)) {
                before = state; // the kill landed in a job past one of its checkpoints (else: the job had finished)
            }
        }
        assertTrue(before != null, "a kill landed inside a trial that had a checkpoint");
        assertTrue(!Files.exists(run.resolve("leaderboard.json")), "killed before it finished");

        JsonNode after = finish(start(run), run);
        String log = Files.readString(tmp.resolve("run.log"));
        assertTrue(log.contains("resuming the sweep"), log);
        assertEquals(facts(whole), facts(run), "the uninterrupted leaderboard");
        Map<String, JsonNode> finalJobs = jobs(after);
        jobs(before).forEach((job, record) -> assertEquals(record, finalJobs.get(job), job + " was not rerun"));
        long left = trainedSteps(uninterrupted.get("jobs")) - trainedSteps(before.get("jobs"));
        long second = trainedSteps(after.get("jobs")) - trainedSteps(before.get("jobs"));
        assertTrue(second < left, "the second attempt trained " + second + " steps; the uninterrupted sweep had "
                + left + " left after the recorded jobs: the interrupted trial continued from its checkpoint");
        Map<String, JsonNode> wholeJobs = jobs(uninterrupted);
        Map<String, JsonNode> recordedBefore = jobs(before);
        long resumed = finalJobs.entrySet().stream().filter(e -> !recordedBefore.containsKey(e.getKey()))
                .filter(e -> e.getValue().get("trainedSteps").asLong()
                        < wholeJobs.get(e.getKey()).get("trainedSteps").asLong()).count();
        assertEquals(1, resumed, "exactly one job (the interrupted one) trained fewer steps than uninterrupted");
    }
}

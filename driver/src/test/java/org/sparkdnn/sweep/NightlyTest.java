package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.io.Storage;

/**
 * Night after night: the second night starts from the first night's best configs, compares its best with the first
 * night's (exit status 3 on a regression), and only the newest nights are kept.
 */
class NightlyTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path sweep;
    static Path root;

    private static int night(String date, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("nightly", "--config", sweep.toString(), "--root",
                root.toString(), "--date", date, "--keep", "2", "--warm-start-top", "2", "--set", "search.trials=4"));
        args.addAll(List.of(extra));
        return Main.run(args.toArray(String[]::new));
    }

    private static JsonNode leaderboard(String date) throws Exception {
        return JSON.readTree(root.resolve(date + "/leaderboard.json").toFile());
    }

    @BeforeAll
    static void twoNights() throws Exception {
        sweep = tmp.resolve("sweep.yaml");
        Files.writeString(sweep, SweepRunTest.SWEEP);
        root = tmp.resolve("nights");
        Files.createDirectories(root.resolve("2026-11-01")); // an old night without a leaderboard (killed)
        assertEquals(0, night("2026-11-28"));
        assertEquals(0, night("2026-11-29", "--tolerance", "1000"));
    }

    @Test
    void theSecondNightTriesTheFirstNightsTwoBestConfigsFirst() throws Exception {
        JsonNode first = leaderboard("2026-11-28").get("rows");
        JsonNode second = JSON.readTree(root.resolve("2026-11-29/sweep.json").toFile());
        JsonNode rows = leaderboard("2026-11-29").get("rows");
        assertEquals(6, rows.size(), "2 warm-start trials + 4 drawn");
        for (JsonNode r : rows) {
            if (r.get("trial").asText().equals("t000")) {
                assertEquals(first.get(0).get("params"), r.get("params"), "t000 = last night's best");
            }
            if (r.get("trial").asText().equals("t001")) {
                assertEquals(first.get(1).get("params"), r.get("params"), "t001 = last night's second");
            }
        }
        assertTrue(second.get("jobs").size() >= 6);
    }

    @Test
    void onlyTheNewestNightsAreKept() {
        assertTrue(!Files.exists(root.resolve("2026-11-01")), "pruned to --keep 2");
        assertTrue(Files.exists(root.resolve("2026-11-28/leaderboard.json")));
        assertTrue(Files.exists(root.resolve("2026-11-29/leaderboard.json")));
    }

    @Test
    void aBestWorseThanTheEarlierSweepsBeyondTheToleranceExitsWithThree() throws Exception {
        // a yardstick no sweep can reach: the earlier best loss set to 1e-6
        Path yardstick = tmp.resolve("yardstick");
        Files.createDirectories(yardstick);
        ObjectNode board = (ObjectNode) leaderboard("2026-11-29");
        ((ObjectNode) board.get("rows").get(0)).put("metric", 1e-6);
        Files.writeString(yardstick.resolve("leaderboard.json"), board.toString());
        String out = root.resolve("2026-11-29").toString();
        assertEquals(org.sparkdnn.cli.ExitStatus.REGRESSED, Main.run("sweep", "--config", sweep.toString(), "--output", out,
                "--set", "search.trials=4", "--warm-start", root.resolve("2026-11-28").toString(),
                "--warm-start-top", "2", "--compare-to", yardstick.toString()));
        // against itself: no regression (the sweep resumes: nothing is retrained)
        assertEquals(0, Main.run("sweep", "--config", sweep.toString(), "--output", out, "--set", "search.trials=4",
                "--warm-start", root.resolve("2026-11-28").toString(), "--warm-start-top", "2",
                "--compare-to", out));
    }

    /** A leaderboard from before scopes (ranked by each trial's last epoch) is no yardstick for a best-epoch sweep. */
    @Test
    void aBestReadAtAnotherEpochScopeIsNotComparedAndTheRunSaysWhy() throws Exception {
        Path older = tmp.resolve("before-scopes");
        Files.createDirectories(older);
        ObjectNode board = (ObjectNode) leaderboard("2026-11-29");
        assertEquals("best", board.get("scope").asText(), "the shipped base has patience: scope best");
        board.remove("scope");
        Files.writeString(older.resolve("leaderboard.json"), board.toString());
        Nightly.Earlier earlier = Nightly.Earlier.read(Storage.withDefaults(), JSON, older.toString());
        assertEquals("last", earlier.scope());
        ConfigException e = assertThrows(ConfigException.class, () -> Nightly.compare(earlier,
                new Leaderboard("validation.loss", "best", List.of(), List.of()), false, 0.01));
        assertTrue(e.getMessage().contains("read each trial's metric at its last epoch and tonight at its best epoch "
                + "(scheduler.scope): the bests are not comparable"), e.getMessage());
        String out = root.resolve("2026-11-29").toString();
        assertEquals(2, Main.run("sweep", "--config", sweep.toString(), "--output", out, "--set", "search.trials=4",
                "--warm-start", root.resolve("2026-11-28").toString(), "--warm-start-top", "2",
                "--compare-to", older.toString()));
    }
}

package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.MetricScope;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;

/**
 * Which epoch ranks a trial. Two real trials on the digits with early stopping on (patience longer than the run):
 * t000 (Adam, lr 0.03) overfits — its best validation loss comes early and its last is worse than t001's — while t001
 * (lr 0.001) improves to its last epoch. Under {@code scope: best} (the default with patience) each trial counts with
 * the epoch it delivers, and t000 wins; under {@code scope: last} with its last epoch, and t001 wins.
 */
class SweepScopeTest {
    static final String SWEEP = String.join("\n",
            "base:",
            "  model: {layers: [{type: dense, units: 256}], loss: softmaxCrossEntropy}",
            "  optimizer: {type: adam, learningRate: 0.002}",
            "  data: {format: csv, train: embedded:digits, numClasses: 10, scaling: standardize,",
            "         validationFraction: 0.1, testFraction: 0.2}",
            "  training: {epochs: 10, batchSize: 64, seed: 42, patience: 10}",
            "  cluster: {engine: local}",
            "space:",
            "  optimizer.learningRate: {grid: [0.03, 0.001]}",
            "search: {type: grid}",
            "scheduler: {type: none, metric: validation.loss}",
            "");

    @TempDir
    static Path tmp;
    static Leaderboard best;
    static Leaderboard last;
    static SweepSpec defaultSpec;

    static SweepSpec spec(List<String> sets) throws Exception {
        Path file = tmp.resolve("sweep.yaml");
        Files.writeString(file, SWEEP);
        return SweepSpec.load(Storage.withDefaults(), new ConfigLoader(), file.toString(), sets);
    }

    static Leaderboard sweep(String scope) throws Exception {
        SweepSpec spec = spec(List.of("scheduler.scope=" + scope, "output.dir=" + tmp.resolve(scope)));
        return new SweepRunner(spec, Storage.withDefaults(), new PrintStream(OutputStream.nullOutputStream()),
                System::nanoTime, Optional.empty()).run(false);
    }

    @BeforeAll
    static void runBothScopes() throws Exception {
        best = sweep("best");
        last = sweep("last");
        defaultSpec = spec(List.of());
    }

    /** Each epoch's validation loss of a trial, from its metrics.jsonl. */
    static List<Double> curve(String scope, String trial) throws Exception {
        return RunData.load(Storage.withDefaults(), tmp.resolve(scope + "/trials/" + trial).toString())
                .ofType("epoch").stream().map(e -> RunData.number(e, "validation.loss")).toList();
    }

    static Leaderboard.Row row(Leaderboard board, String trial) {
        return board.rows().stream().filter(r -> r.trial().equals(trial)).findFirst().orElseThrow();
    }

    @Test
    void withPatienceInTheBaseTheDefaultScopeIsBest() {
        assertEquals(MetricScope.BEST, defaultSpec.scope());
        assertEquals("best", best.scope());
    }

    @Test
    void theOverfittingTrialPeaksEarlyAndEndsWorseThanTheSteadyOne() throws Exception {
        List<Double> fast = curve("best", "t000");
        List<Double> steady = curve("best", "t001");
        assertEquals(10, fast.size());
        double fastBest = fast.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(fast.indexOf(fastBest) < 9, "t000's best epoch is not its last: " + fast);
        assertTrue(fastBest < steady.get(9) && steady.get(9) < fast.get(9),
                "t000's best < t001's last < t000's last: " + fast + " vs " + steady);
    }

    @Test
    void scopeBestRanksEachTrialByTheEpochItDeliversAndTheOverfittingTrialWins() throws Exception {
        assertEquals("t000", best.rows().get(0).trial());
        for (String t : List.of("t000", "t001")) {
            List<Double> c = curve("best", t);
            double min = c.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            Leaderboard.Row r = row(best, t);
            assertEquals(min, r.metric(), 1e-9, t);
            assertEquals(c.indexOf(min) + 1, r.metricEpoch(), t);
            // the trial's own outputs are that epoch's model: its summary evaluates the restored parameters
            Map<String, Object> summary = RunData.load(Storage.withDefaults(),
                    tmp.resolve("best/trials/" + t).toString()).summary().orElseThrow();
            assertEquals(min, RunData.number(summary, "validation.loss"), 1e-9, t);
            assertEquals(r.metricEpoch(), ((Number) summary.get("deliveredEpoch")).intValue(), t);
        }
    }

    @Test
    void scopeLastRanksEachTrialByItsLastEpochAndTheSteadyTrialWins() throws Exception {
        assertEquals("t001", last.rows().get(0).trial());
        for (String t : List.of("t000", "t001")) {
            Leaderboard.Row r = row(last, t);
            assertEquals(curve("last", t).get(9), r.metric(), 1e-9, t);
            assertEquals(10, r.metricEpoch(), t);
        }
        assertEquals(row(best, "t000").paramsSha256(), row(last, "t000").paramsSha256(),
                "the scope changes the ranking, not the training");
    }

    @Test
    void theLeaderboardFilesAndBestYamlNameTheEpochTheMetricCameFrom() throws Exception {
        List<String> csv = Files.readAllLines(tmp.resolve("best/leaderboard.csv"));
        assertEquals("rank,trial,optimizer.learningRate,status,epochs,validation.loss,metricEpoch,wallSeconds,steps,"
                + "paramsSha256,error", csv.get(0));
        Leaderboard.Row winner = best.rows().get(0);
        assertTrue(csv.get(1).startsWith("1,t000,0.03,completed,10," + winner.metric() + "," + winner.metricEpoch()
                + ","), csv.get(1));
        String yaml = Files.readString(tmp.resolve("best/best.yaml"));
        assertTrue(yaml.contains(String.format("at epoch %d of 10", winner.metricEpoch())) && yaml.contains("scope best"),
                yaml.lines().limit(3).toList().toString());
    }
}

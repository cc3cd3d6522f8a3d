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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.HeadlessChromium;
import org.sparkdnn.run.TrainingRun;

/**
 * A small ASHA sweep on the digits, run for real: the same trials, decisions, metrics and parameters with one or two
 * trials at once; an invalid trial is recorded and the sweep goes on; a rerun resumes without training; best.yaml
 * retrains the winner bitwise — with a cosine schedule and early stopping in the base, so a promoted trial must
 * continue its full run's schedule and its last (not its restored best) parameters; the report opens in a browser.
 */
class SweepRunTest {
    static final String SWEEP = String.join("\n",
            "base:",
            "  model: {layers: [{type: dense, units: 32}], loss: softmaxCrossEntropy}",
            "  optimizer: {type: adam, learningRate: 0.002, schedule: {type: cosine}}",
            "  data: {format: csv, train: embedded:digits, numClasses: 10, scaling: standardize,",
            "         validationFraction: 0.1, testFraction: 0.2}",
            "  training: {epochs: 4, batchSize: 64, seed: 42, patience: 3}",
            "  cluster: {engine: local}",
            "  checkpoint: {everyEpochs: 2}", // rung 1's run ends between checkpoints: its end writes one
            "space:",
            "  optimizer.learningRate: {logUniform: [0.0005, 0.05]}",
            "  training.batchSize: {choice: [32, 64, -8]}",
            "  optimizer.type: {choice: [adam, nesterov]}",
            "search: {type: random, trials: 8, seed: 3}",
            "scheduler: {type: asha, metric: validation.loss, minResource: 1, maxResource: 4, reductionFactor: 2}",
            "");

    @TempDir
    static Path tmp;
    static Leaderboard one;
    static Leaderboard two;

    static Leaderboard sweep(String dir, int parallel) throws Exception {
        Path file = tmp.resolve("sweep.yaml");
        Files.writeString(file, SWEEP);
        SweepSpec spec = SweepSpec.load(Storage.withDefaults(), new ConfigLoader(), file.toString(),
                List.of("parallelTrials=" + parallel, "output.dir=" + tmp.resolve(dir)));
        return new SweepRunner(spec, Storage.withDefaults(), new PrintStream(OutputStream.nullOutputStream()),
                System::nanoTime, Optional.empty()).run(false);
    }

    @BeforeAll
    static void runBoth() throws Exception {
        one = sweep("p1", 1);
        two = sweep("p2", 2);
    }

    /** A row without its wall time (the one thing that may differ). */
    private static List<Object> facts(Leaderboard.Row r) {
        return List.of(r.rank(), r.trial(), r.params(), r.status(), r.epochs(), String.valueOf(r.metric()), r.steps(),
                String.valueOf(r.paramsSha256()), String.valueOf(r.error()));
    }

    @Test
    void oneOrTwoTrialsAtOnceGiveTheSameTrialsDecisionsMetricsAndParameters() {
        assertEquals(8, one.rows().size());
        assertEquals(one.rows().stream().map(SweepRunTest::facts).toList(),
                two.rows().stream().map(SweepRunTest::facts).toList());
        Leaderboard.Row best = one.best().orElseThrow();
        assertEquals("completed", best.status());
        assertEquals(4, best.epochs());
        assertTrue(one.rows().stream().anyMatch(r -> r.status().equals("stopped")), "ASHA stopped some trials");
    }

    @Test
    void aTrialWithAnInvalidConfigIsRecordedAsFailedAndTheSweepGoesOn() {
        List<Leaderboard.Row> failed = one.rows().stream().filter(r -> r.status().equals("failed")).toList();
        assertTrue(!failed.isEmpty(), "this seed draws batchSize -8 at least once: " + one.rows());
        for (Leaderboard.Row r : failed) {
            assertEquals(-8, r.params().get("training.batchSize").asInt());
            assertTrue(r.error().contains("training.batchSize: must be > 0, was -8"), r.error());
        }
        assertTrue(one.best().isPresent());
    }

    @Test
    void bestYamlRetrainsTheWinnerFromScratchToTheSameParameters() throws Exception {
        Storage storage = Storage.withDefaults();
        String best = tmp.resolve("p1/best.yaml").toString();
        Map<String, Object> summary = new TrainingRun(new ConfigLoader().load(storage, best, List.of()), storage,
                new PrintStream(OutputStream.nullOutputStream()), System::nanoTime).execute();
        assertEquals(one.best().orElseThrow().paramsSha256(), summary.get("paramsSha256"));
        assertTrue(Files.exists(tmp.resolve("p1/best/model.zip")));
    }

    @Test
    void runningTheSameSweepAgainResumesAndTrainsNothing() throws Exception {
        Path state = tmp.resolve("p2/sweep.json");
        String before = Files.readString(state);
        long metricsBefore = Files.size(tmp.resolve("p2/trials/t000/metrics.jsonl"));
        Leaderboard again = sweep("p2", 2);
        assertEquals(before, Files.readString(state), "no job ran again");
        assertEquals(metricsBefore, Files.size(tmp.resolve("p2/trials/t000/metrics.jsonl")));
        assertEquals(two.rows().stream().map(SweepRunTest::facts).toList(),
                again.rows().stream().map(SweepRunTest::facts).toList());
    }

    @Test
    void theOutputsAreWrittenAndTheReportOpensInChromiumWithEveryChartDrawn() throws Exception {
        Path dir = tmp.resolve("p1");
        for (String f : new String[] {"leaderboard.csv", "leaderboard.json", "best.yaml", "report.html", "sweep.json"}) {
            assertTrue(Files.size(dir.resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(dir.resolve("leaderboard.csv"));
        assertEquals("rank,trial,optimizer.learningRate,training.batchSize,optimizer.type,status,epochs,"
                + "validation.loss,metricEpoch,wallSeconds,steps,paramsSha256,error", csv.get(0));
        assertEquals(9, csv.size());
        HeadlessChromium chromium = HeadlessChromium.require(tmp.resolve("profile"));
        HeadlessChromium.Load load = chromium.dumpDom(dir.resolve("report.html"));
        assertEquals(List.of(), load.consoleMessages());
        // learning curves, throughput, parallel coordinates, metric vs each of the 3 keys
        Matcher m = Pattern.compile("<div class=\"chart\" id=\"chart\\d+\"[^>]*data-points=\"(\\d+)\"").matcher(load.dom());
        int charts = 0;
        while (m.find()) {
            charts++;
            assertTrue(Integer.parseInt(m.group(1)) > 0, load.dom().substring(m.start(), m.end()));
        }
        assertEquals(6, charts);
        Path png = Path.of("target", "report-screenshots", "sweep-report.png").toAbsolutePath();
        Files.createDirectories(png.getParent());
        chromium.screenshot(dir.resolve("report.html"), png, 1300, 2600);
        assertTrue(Files.size(png) > 20_000);
    }
}

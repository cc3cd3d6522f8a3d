package org.sparkdnn.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.DivergenceException;

/** report.html: written by every run, every chart drawn from the run's own records, several runs overlaid. */
class RunReportTest {
    @TempDir
    static Path tmp;
    static Path run;

    @BeforeAll
    static void trainOnce() throws Exception {
        run = ReportRuns.train("digits.yaml", tmp.resolve("digits"), "cluster.engine=local", "training.epochs=3",
                "training.gradientNormsEvery=5", "training.logEvery=5");
    }

    @Test
    void everyRunWritesAReportWhoseChartsHoldTheRunsRecords() throws Exception {
        Path report = run.resolve("report.html");
        assertTrue(Files.size(report) > 500_000, "ECharts is inlined: the page needs no network");
        String html = Files.readString(report);
        assertTrue(!html.contains("src=\"http") && !html.contains("href=\"http"), "no external resources");
        Map<String, Integer> points = ReportRuns.pointsByTitle(ReportRuns.chartOptions(html));
        // 3 epochs x 3 loss series, 3 x 2 accuracy series; 120 steps / logEvery 5 = 24 step records
        assertEquals(9, points.get("Loss per epoch"), points.toString());
        assertEquals(6, points.get("Accuracy per epoch"), points.toString());
        assertEquals(24, points.get("Training loss per step"), points.toString());
        assertEquals(24, points.get("Learning rate (schedule)"), points.toString());
        assertEquals(48, points.get("Throughput"), points.toString());
        // layers layer0, layer1, output x steps 1, 6, ..., 116 (24 records)
        assertEquals(3 * 24, points.get("Gradient norms: digits"), points.toString());
        assertTrue(points.get("Time per step by phase") >= 1, points.toString());
        assertTrue(html.contains("config.yaml (resolved)") && html.contains("paramsSha256"), "config and summary");
    }

    @Test
    void epochRecordsCarryTrainAccuracyOnAFixedSample() throws Exception {
        RunData data = RunData.load(Storage.withDefaults(), run.toString());
        List<Map<String, Object>> epochs = data.ofType("epoch");
        assertEquals(3, epochs.size());
        for (Map<String, Object> epoch : epochs) {
            double accuracy = RunData.number(epoch, "train.accuracy");
            assertTrue(accuracy > 0.1 && accuracy <= 1.0, epoch.toString());
            // digits: 1258 training examples < trainMetricsExamples (2000): the whole split is evaluated
            assertEquals(1258.0, RunData.number(epoch, "train.examples"), epoch.toString());
        }
        assertTrue(RunData.number(epochs.get(2), "train.accuracy") > RunData.number(epochs.get(0), "train.accuracy"),
                "the model learns: " + epochs);
    }

    @Test
    void theReportCommandOverlaysSeveralRuns() throws Exception {
        Path other = ReportRuns.train("digits.yaml", tmp.resolve("adagrad"), "cluster.engine=local",
                "training.epochs=2", "optimizer.type=adagrad", "training.gradientNormsEvery=10");
        Path out = tmp.resolve("both.html");
        assertEquals(0, Main.run("report", run.toString(), other.toString(), "--output", out.toString()));
        JsonNode options = ReportRuns.chartOptions(out);
        Map<String, Integer> points = ReportRuns.pointsByTitle(options);
        assertTrue(points.containsKey("Gradient norms: digits") && points.containsKey("Gradient norms: adagrad"),
                "one heatmap per run: " + points.keySet());
        assertEquals(9 + 6, points.get("Loss per epoch"), "3 + 2 epochs, 3 series each: " + points);
        JsonNode loss = null;
        for (JsonNode chart : options) {
            if (chart.get("title").get("text").asText().equals("Loss per epoch")) {
                loss = chart;
            }
        }
        String names = loss.get("series").toString();
        assertTrue(names.contains("digits: validation") && names.contains("adagrad: validation"), names);
    }

    @Test
    void aDivergedRunStillGetsAReportWithItsGradientNorms() throws Exception {
        Path out = tmp.resolve("nan");
        assertThrows(DivergenceException.class, () -> ReportRuns.train("digits.yaml", out, "cluster.engine=local",
                "optimizer.type=sgd", "optimizer.learningRate=1e30", "training.gradientNormsEvery=1",
                "training.logEvery=1"));
        Map<String, Integer> points = ReportRuns.pointsByTitle(ReportRuns.chartOptions(out.resolve("report.html")));
        assertTrue(points.get("Gradient norms: nan") > 0, points.toString());
        assertTrue(Files.readString(out.resolve("report.html")).contains("unfinished"), "no summary: unfinished");
    }

    @Test
    void aTornLastMetricsLineIsSkippedButATornMiddleLineIsAnError() throws Exception {
        Path dir = tmp.resolve("torn");
        Files.createDirectories(dir);
        String good = "{\"type\":\"step\",\"step\":10,\"epoch\":1,\"loss\":0.5}\n";
        Files.writeString(dir.resolve("metrics.jsonl"), good + good.replace("10", "20") + "{\"type\":\"st");
        assertEquals(2, RunData.load(Storage.withDefaults(), dir.toString()).records().size());

        Files.writeString(dir.resolve("metrics.jsonl"), good + "{\"type\":\"st\n" + good);
        IOException e = assertThrows(IOException.class, () -> RunData.load(Storage.withDefaults(), dir.toString()));
        assertTrue(e.getMessage().contains("metrics.jsonl: line 2 is not a JSON record"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutMetricsIsNotARun() throws Exception {
        FileNotFoundException e = assertThrows(FileNotFoundException.class,
                () -> RunData.load(Storage.withDefaults(), tmp.resolve("nothing").toString()));
        assertTrue(e.getMessage().endsWith("nothing: not a run directory (no metrics.jsonl)"), e.getMessage());
        assertEquals(org.sparkdnn.cli.ExitStatus.IO, Main.run("report", tmp.resolve("nothing").toString()));
    }

    @Test
    void nonFiniteValuesAreLeftOutOfChartData() throws Exception {
        Charts charts = new Charts(new ConfigLoader().json());
        JsonNode option = charts.lines("t", "x", "y", List.of(new Charts.Series("s",
                List.of(new double[] {1, 0.5}, new double[] {2, Double.NaN}, new double[] {3, Double.POSITIVE_INFINITY}),
                "solid")), false);
        assertEquals(1, option.get("series").get(0).get("data").size(), option.toString());
    }
}

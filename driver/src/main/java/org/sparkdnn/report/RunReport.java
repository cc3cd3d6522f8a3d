package org.sparkdnn.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The run report: a summary table, then per epoch the train/validation loss and accuracy, per step the loss, the
 * learning rate and examples/s, the per-layer gradient-norm heatmap (layer × step, log colour: vanishing gradients
 * show as a cold first layer, exploding ones as hot), the engine's time per step by phase, and each run's resolved
 * config and summary. Several runs overlay their curves (one heatmap each). A chart whose data no run recorded is
 * replaced by a note saying which setting records it.
 */
public final class RunReport {
    private final ObjectMapper json;
    private final Charts charts;

    public RunReport(ObjectMapper json) {
        this.json = json;
        this.charts = new Charts(json);
    }

    public String render(List<RunData> runs) {
        return page(runs).render();
    }

    public HtmlPage page(List<RunData> runs) {
        String title = runs.size() == 1 ? "sparkdnn run " + runs.get(0).dir() : "sparkdnn: " + runs.size() + " runs";
        HtmlPage page = new HtmlPage(title, json);
        page.heading("Summary");
        page.table(RunSummaryRows.HEADER, runs.stream().map(RunSummaryRows::row).toList());
        epochCharts(page, runs);
        stepCharts(page, runs);
        gradientNorms(page, runs);
        activations(page, runs);
        phases(page, runs);
        pictures(page, runs);
        page.heading("Configuration and summary");
        for (RunData run : runs) {
            run.configYaml().ifPresent(yaml -> page.details(run.name() + ": config.yaml (resolved)", yaml));
            run.summary().ifPresent(s -> page.details(run.name() + ": summary.json", pretty(s)));
        }
        return page;
    }

    /** The image model's pictures: augmented training examples and the first conv layer's filters. */
    private static void pictures(HtmlPage page, List<RunData> runs) {
        if (runs.stream().noneMatch(r -> r.images().isPresent())) {
            return;
        }
        page.heading("Images");
        for (RunData run : runs) {
            if (run.images().isEmpty()) {
                continue;
            }
            List<RunImages.Picture> augmented = RunImages.augmented(run.images().get());
            if (!augmented.isEmpty()) {
                page.note(run.name() + ": training examples as read and as data.augment transformed them at step 0 "
                        + "(each image on its own grey range)");
                page.pictures(augmented);
            }
            List<RunImages.Picture> filters = RunImages.filters(run.images().get());
            if (!filters.isEmpty()) {
                page.note(run.name() + ": the first convolution layer's filters after training (its first input "
                        + "channel, or RGB for 3; each on its own range)");
                page.pictures(filters);
            }
        }
    }

    private void epochCharts(HtmlPage page, List<RunData> runs) {
        page.heading("Per epoch");
        List<Charts.Series> loss = new ArrayList<>();
        List<Charts.Series> accuracy = new ArrayList<>();
        for (RunData run : runs) {
            List<Map<String, Object>> epochs = run.ofType("epoch");
            loss.add(series(runs, run, "train (mean of the epoch's batches)", epochs, "epoch", "trainLoss", "solid"));
            loss.add(series(runs, run, "train (sample, inference mode)", epochs, "epoch", "train.loss", "dotted"));
            loss.add(series(runs, run, "validation", epochs, "epoch", "validation.loss", "dashed"));
            accuracy.add(series(runs, run, "train (sample)", epochs, "epoch", "train.accuracy", "solid"));
            accuracy.add(series(runs, run, "validation", epochs, "epoch", "validation.accuracy", "dashed"));
        }
        addLines(page, "Loss per epoch", "epoch", "loss", loss, false, "no epoch finished yet");
        addLines(page, "Accuracy per epoch", "epoch", "accuracy", accuracy, false,
                "no accuracy recorded: a regression loss, or no validation split and training.trainMetricsExamples 0");
    }

    private void stepCharts(HtmlPage page, List<RunData> runs) {
        page.heading("Per step");
        List<Charts.Series> loss = new ArrayList<>();
        List<Charts.Series> rate = new ArrayList<>();
        List<Charts.Series> speed = new ArrayList<>();
        for (RunData run : runs) {
            List<Map<String, Object>> steps = run.ofType("step");
            loss.add(series(runs, run, "batch loss", steps, "step", "loss", "solid"));
            rate.add(series(runs, run, "learning rate", steps, "step", "learningRate", "solid"));
            speed.add(series(runs, run, "since the previous record", steps, "step", "recentExamplesPerSecond", "solid"));
            speed.add(series(runs, run, "since the start", steps, "step", "examplesPerSecond", "dashed"));
        }
        String none = "no step records: set training.logEvery";
        addLines(page, "Training loss per step", "step", "loss", loss, false, none);
        addLines(page, "Learning rate (schedule)", "step", "learning rate", rate, false, none);
        addLines(page, "Throughput", "step", "examples/s", speed, false, none);
    }

    private void gradientNorms(HtmlPage page, List<RunData> runs) {
        page.heading("Gradient norms per layer");
        page.note("L2 norm of each layer's gradient of the mean loss, on a log colour scale (one scale for all runs "
                + "here). Vanishing gradients: the first layers orders of magnitude below the last; exploding: norms "
                + "growing with depth or time.");
        Optional<double[]> range = logRange(runs);
        for (RunData run : runs) {
            List<Map<String, Object>> records = run.ofType("gradientNorms");
            if (records.isEmpty()) {
                page.note(run.name() + ": no gradient norms recorded; set training.gradientNormsEvery");
                continue;
            }
            Set<String> layers = new LinkedHashSet<>();
            records.forEach(r -> layers.addAll(norms(r).keySet()));
            List<String> rows = List.copyOf(layers);
            List<String> columns = steps(records);
            double[][] values = new double[rows.size()][columns.size()];
            for (int c = 0; c < records.size(); c++) {
                Map<String, Object> n = norms(records.get(c));
                for (int r = 0; r < rows.size(); r++) {
                    values[r][c] = n.get(rows.get(r)) instanceof Number v ? v.doubleValue() : Double.NaN;
                }
            }
            page.chart(charts.logHeatmap("Gradient norms: " + run.name(), run.name(), "step", columns, "layer", rows,
                    values, range), Math.max(260, 120 + 22 * rows.size()));
        }
    }

    /**
     * The runs that recorded {@code training.activationStatsEvery}: each layer's output, per record — its standard
     * deviation over the inputs (log colour; ≈ 0: the layer ignores its input) and, at the first and the last record,
     * its mean.
     */
    private void activations(HtmlPage page, List<RunData> runs) {
        List<RunData> recorded = runs.stream().filter(r -> !r.ofType("activations").isEmpty()).toList();
        if (recorded.isEmpty()) {
            return;
        }
        page.heading("Layer outputs");
        page.note("Statistics of every layer's output on a fixed sample of the training split, recorded every "
                + "training.activationStatsEvery steps before the step: the standard deviation over the inputs (0, "
                + "blank here, means the layer's output no longer depends on the input) and the mean.");
        for (RunData run : recorded) {
            List<Map<String, Object>> records = run.ofType("activations");
            List<String> rows = List.copyOf(stats(records.get(0)).keySet());
            List<String> columns = steps(records);
            double[][] values = new double[rows.size()][columns.size()];
            for (int c = 0; c < records.size(); c++) {
                for (int r = 0; r < rows.size(); r++) {
                    double v = RunData.number(records.get(c), "layers." + rows.get(r) + ".inputStd");
                    values[r][c] = v > 0 ? v : Double.NaN;
                }
            }
            page.chart(charts.logHeatmap("Output std over the inputs: " + run.name(), run.name(), "step", columns,
                    "layer", rows, values), Math.max(260, 120 + 22 * rows.size()));
            List<Charts.Series> means = new ArrayList<>();
            for (Map<String, Object> record : List.of(records.get(0), records.get(records.size() - 1))) {
                List<double[]> points = new ArrayList<>();
                for (int r = 0; r < rows.size(); r++) {
                    points.add(new double[] {r, RunData.number(record, "layers." + rows.get(r) + ".mean")});
                }
                means.add(new Charts.Series("step " + record.get("step"), points,
                        means.isEmpty() ? "dashed" : "solid"));
            }
            page.chart(charts.lines("Output mean per layer (0 = first hidden layer): " + run.name(), "layer", "mean",
                    means, false), 280);
        }
    }

    /** The records' steps, as a heatmap's column labels. */
    private static List<String> steps(List<Map<String, Object>> records) {
        return records.stream().map(r -> String.valueOf(((Number) r.get("step")).longValue())).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stats(Map<String, Object> record) {
        return record.get("layers") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** [floor, ceil] of log10 over every positive finite norm of every run; empty if there is none. */
    private static Optional<double[]> logRange(List<RunData> runs) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (RunData run : runs) {
            for (Map<String, Object> r : run.ofType("gradientNorms")) {
                for (Object v : norms(r).values()) {
                    if (v instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() > 0) {
                        min = Math.min(min, Math.log10(n.doubleValue()));
                        max = Math.max(max, Math.log10(n.doubleValue()));
                    }
                }
            }
        }
        return min <= max ? Optional.of(new double[] {Math.floor(min), Math.ceil(max)}) : Optional.empty();
    }

    private void phases(HtmlPage page, List<RunData> runs) {
        Set<String> keys = new LinkedHashSet<>();
        keys.add("msPerStep");
        runs.forEach(r -> r.summary().map(s -> s.get("engineStats")).ifPresent(stats -> {
            if (stats instanceof Map<?, ?> m) {
                m.keySet().stream().map(String::valueOf).filter(k -> k.startsWith("ms") && k.endsWith("PerStep"))
                        .forEach(keys::add);
            }
        }));
        List<RunData> finished = runs.stream().filter(r -> r.summary().isPresent()).toList();
        if (finished.isEmpty()) {
            return;
        }
        page.heading("Engine time per step");
        page.note("Milliseconds per optimizer step: msPerStep is the whole step; exchange = worker compute + "
                + "transfer and wait (sync); driver apply = the optimizer update on the driver.");
        List<String> categories = List.copyOf(keys);
        List<double[]> values = new ArrayList<>();
        for (RunData run : finished) {
            Map<String, Object> s = run.summary().get();
            values.add(categories.stream().mapToDouble(k -> k.equals("msPerStep") ? RunData.number(s, k)
                    : RunData.number(s, "engineStats." + k)).toArray());
        }
        page.chart(charts.bars("Time per step by phase", "ms", categories,
                finished.stream().map(RunData::name).toList(), values), 320);
    }

    private void addLines(HtmlPage page, String title, String x, String y, List<Charts.Series> series, boolean logY,
                          String whenEmpty) {
        List<Charts.Series> drawn = series.stream().filter(s -> !s.isEmpty()).toList();
        if (drawn.isEmpty()) {
            page.note(title + ": " + whenEmpty);
        } else {
            page.chart(charts.lines(title, x, y, drawn, logY), 340);
        }
    }

    private static Charts.Series series(List<RunData> runs, RunData run, String label, List<Map<String, Object>> records,
                                        String xPath, String yPath, String lineType) {
        Function<Map<String, Object>, double[]> point = r -> new double[] {RunData.number(r, xPath),
                RunData.number(r, yPath)};
        if (runs.size() == 1) {
            return new Charts.Series(label, records.stream().map(point).toList(), lineType);
        }
        String colour = Charts.PALETTE.get(runs.indexOf(run) % Charts.PALETTE.size());
        return new Charts.Series(run.name() + ": " + label, records.stream().map(point).toList(), lineType,
                Optional.of(colour));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> norms(Map<String, Object> record) {
        return record.get("norms") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private String pretty(Object value) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

package org.sparkdnn.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sparkdnn.report.Charts;
import org.sparkdnn.report.HtmlPage;
import org.sparkdnn.report.RunData;

/**
 * The gallery page of experiments: per experiment the lecture's claim (quoted, with its file and section), its checks
 * with the measured values and verdicts, and the charts that show it — each run's gradient norm per layer at the
 * first recorded step (log scale, input side first) and its training loss per epoch.
 */
public final class Gallery {
    private final ObjectMapper json;
    private final Charts charts;

    public Gallery(ObjectMapper json) {
        this.json = json;
        this.charts = new Charts(json);
    }

    public String render(List<ExperimentRunner.Result> results) {
        HtmlPage page = new HtmlPage("The lectures as experiments", json);
        page.note(results.size() + " experiment(s). Each claim is checked by a comparison written in its "
                + "conf/experiments/NAME.yaml before it ran; the verdict is computed from the recorded metrics.");
        for (ExperimentRunner.Result r : results) {
            ExperimentSpec.Lecture l = r.spec().lecture();
            page.heading(r.spec().title() + " (" + r.name() + ", " + r.scale() + " scale)");
            page.note("Lecture " + l.file() + ", \"" + l.section() + "\": " + l.quote());
            List<List<String>> rows = new ArrayList<>();
            for (ExperimentRunner.Verdict v : r.verdicts()) {
                rows.add(List.of(v.claim(), String.format("%s = %s", v.left(), value(v.leftValue(), v.leftSd())),
                        String.format("%s %.4g × (%s = %s)", v.op(), v.factor(), v.right(),
                                value(v.rightValue(), v.rightSd())), v.verdict()));
            }
            page.table(List.of("claim", "measured", "check", "verdict"), rows);
            if (r.spec().seedCount(r.scale()) > 1) {
                page.note("Each run trained with " + r.spec().seedCount(r.scale()) + " seeds: values are means (gradient "
                        + "norms: geometric means) ± the standard deviation over the seeds.");
            }
            r.tuned().forEach((run, t) -> page.note("Tuned before " + run + ": " + t));
            charts(page, r);
        }
        return page.render();
    }

    /**
     * The experiment's charts: gradient norms per layer (geometric mean over seeds; a norm of exactly 0 cannot be
     * drawn on the log axis and is said in a note), relative to the last hidden layer beside each reference, the
     * activation statistics per layer where recorded, and the training loss per epoch (mean over seeds) where
     * the runs trained whole epochs.
     */
    private void charts(HtmlPage page, ExperimentRunner.Result r) {
        List<Charts.Series> norms = new ArrayList<>();
        List<Charts.Series> relative = new ArrayList<>();
        List<Charts.Series> inputStd = new ArrayList<>();
        List<Charts.Series> means = new ArrayList<>();
        List<Charts.Series> losses = new ArrayList<>();
        List<String> zeros = new ArrayList<>();
        for (Map.Entry<String, List<RunData>> run : r.runs().entrySet()) {
            List<RunData> seeds = run.getValue();
            List<double[]> points = new ArrayList<>();
            List<String> layers = new ArrayList<>(Metrics.firstNorms(seeds.get(0)).keySet());
            for (int i = 0; i < layers.size(); i++) {
                double norm = Metrics.value(seeds, "gradientNorm." + layers.get(i), Map.of());
                if (norm > 0 && Double.isFinite(norm)) {
                    points.add(new double[] {i, norm});
                }
            }
            if (points.size() < layers.size()) {
                zeros.add(run.getKey() + ": " + (layers.size() - points.size()) + " of " + layers.size());
            }
            norms.add(new Charts.Series(run.getKey(), points, "solid"));
            if (!r.references().isEmpty()) {
                relative.add(new Charts.Series(run.getKey(), powers(Metrics.relativeLogNorms(seeds)), "solid"));
            }
            List<String> active = new ArrayList<>(activationLayers(seeds.get(0)));
            if (!active.isEmpty()) {
                inputStd.add(new Charts.Series(run.getKey(), perLayer(seeds, active, "inputStd", true), "solid"));
                means.add(new Charts.Series(run.getKey(), perLayer(seeds, active, "mean", false), "solid"));
            }
            List<double[]> loss = new ArrayList<>();
            int epochs = Metrics.losses(seeds.get(0)).size();
            for (int e = 1; e <= epochs; e++) {
                loss.add(new double[] {e, Metrics.value(seeds, "trainLoss@" + e, Map.of())});
            }
            losses.add(new Charts.Series(run.getKey(), loss, "solid"));
        }
        if (norms.stream().anyMatch(n -> !n.isEmpty())) {
            page.chart(charts.lines("Gradient norm per layer, first recorded step (layer 0 = input side)", "layer",
                    "gradient norm", norms, true), 320);
        }
        if (!zeros.isEmpty()) {
            page.note("Gradient norms of exactly 0 (not drawn on the log axis): " + String.join("; ", zeros) + ".");
        }
        if (!relative.isEmpty()) {
            r.references().forEach((name, expected) -> relative.add(
                    new Charts.Series("expected (" + name + ", double)", powers(expected), "dashed")));
            page.chart(charts.lines("Gradient norm relative to the last hidden layer's, mean of log10 over seeds, "
                    + "against the expectation", "layer", "relative gradient norm", relative, true), 320);
        }
        if (!inputStd.isEmpty()) {
            page.chart(charts.lines("Each layer's output: standard deviation over the inputs, first record", "layer",
                    "std over inputs", inputStd, true), 280);
            page.chart(charts.lines("Each layer's output: mean, first record", "layer", "mean", means, false), 280);
        }
        if (losses.stream().anyMatch(l -> !l.isEmpty())) {
            page.chart(charts.lines("Training loss per epoch (log scale)", "epoch", "loss", losses, true), 280);
        }
    }

    /** A mean, with its standard deviation over seeds where there is one. */
    private static String value(double mean, double sd) {
        return Double.isNaN(sd) ? String.format("%.4g", mean) : String.format("%.4g ± %.2g", mean, sd);
    }

    /** (layer, 10^v) of per-layer log10 values, skipping −∞ (a norm of 0). */
    private static List<double[]> powers(double[] logs) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < logs.length; i++) {
            if (Double.isFinite(logs[i])) {
                points.add(new double[] {i, Math.pow(10, logs[i])});
            }
        }
        return points;
    }

    /** The layers of a run's first {@code activations} record, in order. */
    private static List<String> activationLayers(RunData run) {
        List<Map<String, Object>> records = run.ofType("activations");
        List<String> layers = new ArrayList<>();
        if (!records.isEmpty() && records.get(0).get("layers") instanceof Map<?, ?> m) {
            m.keySet().forEach(k -> layers.add(String.valueOf(k)));
        }
        return layers;
    }

    /** (layer position, stat over seeds) of each layer; on a log axis only positive values. */
    private static List<double[]> perLayer(List<RunData> seeds, List<String> layers, String stat, boolean log) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            double v = Metrics.value(seeds, "activation." + layers.get(i) + "." + stat, Map.of());
            if (Double.isFinite(v) && (!log || v > 0)) {
                points.add(new double[] {i, v});
            }
        }
        return points;
    }
}

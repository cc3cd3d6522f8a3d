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
                rows.add(List.of(v.claim(), String.format("%s = %.4g", v.left(), v.leftValue()),
                        String.format("%s %.4g × (%s = %.4g)", v.op(), v.factor(), v.right(), v.rightValue()),
                        v.verdict()));
            }
            page.table(List.of("claim", "measured", "check", "verdict"), rows);
            List<Charts.Series> norms = new ArrayList<>();
            List<Charts.Series> losses = new ArrayList<>();
            for (Map.Entry<String, RunData> run : r.runs().entrySet()) {
                norms.add(new Charts.Series(run.getKey(), layerNorms(run.getValue()), "solid"));
                List<double[]> loss = new ArrayList<>();
                for (Map<String, Object> e : run.getValue().ofType("epoch")) {
                    loss.add(new double[] {RunData.number(e, "epoch"), RunData.number(e, "trainLoss")});
                }
                losses.add(new Charts.Series(run.getKey(), loss, "solid"));
            }
            page.chart(charts.lines("Gradient norm per layer, first recorded step (layer 0 = input side)", "layer",
                    "gradient norm", norms, true), 320);
            page.chart(charts.lines("Training loss per epoch", "epoch", "loss", losses, false), 280);
        }
        return page.render();
    }

    /** (layer position, norm) of the first recorded gradient norms, in the network's layer order. */
    private static List<double[]> layerNorms(RunData run) {
        List<double[]> points = new ArrayList<>();
        List<Map<String, Object>> records = run.ofType("gradientNorms");
        if (records.isEmpty() || !(records.get(0).get("norms") instanceof Map<?, ?> norms)) {
            return points;
        }
        int i = 0;
        for (Object value : norms.values()) {
            if (value instanceof Number n) {
                points.add(new double[] {i, n.doubleValue()});
            }
            i++;
        }
        return points;
    }
}

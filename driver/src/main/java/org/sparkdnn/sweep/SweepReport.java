package org.sparkdnn.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.sparkdnn.config.Distribution;
import org.sparkdnn.config.Redaction;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.Charts;
import org.sparkdnn.report.HtmlPage;
import org.sparkdnn.report.RunData;

/**
 * The sweep's {@code report.html}, on the run report's machinery: the leaderboard, every trial's learning curve of
 * the metric per epoch (ASHA's rungs show as curves ending at 1, 3, 9, … epochs), parallel coordinates of the
 * hyperparameters and the metric, and the metric against each hyperparameter.
 */
final class SweepReport {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private final ObjectMapper json;
    private final Charts charts;

    SweepReport(ObjectMapper json) {
        this.json = json;
        this.charts = new Charts(json);
    }

    void write(Storage storage, String dir, SweepSpec spec, Leaderboard board, List<Trial> trials,
               TrialConfigs configs) throws IOException {
        String metric = board.metric();
        HtmlPage page = new HtmlPage("sparkdnn sweep " + dir, json);
        page.note(String.format("%s: %d trials, %s search, scheduler %s (%s %s at each trial's %s epoch, rungs %s "
                + "epochs).", spec.source(), trials.size(), spec.config().search().type().key(),
                spec.config().scheduler().type().key(), spec.config().scheduler().mode(), metric, spec.scope().key(),
                Asha.rungs(spec.config().scheduler(), spec.maxResource())));
        page.heading("Leaderboard");
        List<String> header = new ArrayList<>(List.of("rank", "trial"));
        header.addAll(board.keys());
        header.addAll(List.of("status", "epochs", metric, "at epoch", "wall s", "error"));
        List<List<String>> rows = new ArrayList<>();
        for (Leaderboard.Row r : board.rows()) {
            List<String> row = new ArrayList<>(List.of(String.valueOf(r.rank()), r.trial()));
            board.keys().forEach(k -> row.add(Leaderboard.shortText(r.params().get(k))));
            row.addAll(List.of(r.status(), String.valueOf(r.epochs()),
                    r.metric() == null ? "" : String.format("%.4f", r.metric()),
                    r.metricEpoch() == null ? "" : String.valueOf(r.metricEpoch()),
                    String.format("%.1f", r.wallSeconds()), r.error() == null ? "" : r.error()));
            rows.add(row);
        }
        page.table(header, rows);
        page.heading("Learning curves");
        List<Charts.Series> curves = new ArrayList<>();
        for (Trial t : trials) {
            String trialDir = configs.trialDir(t);
            if (storage.exists(trialDir + "/metrics.jsonl")) {
                List<double[]> points = RunData.load(storage, trialDir).ofType("epoch").stream()
                        .map(e -> new double[] {RunData.number(e, "epoch"), RunData.number(e, metric)}).toList();
                curves.add(new Charts.Series(t.id(), points, "solid"));
            }
        }
        if (curves.stream().allMatch(Charts.Series::isEmpty)) {
            page.note("no trial finished an epoch");
        } else {
            page.chart(charts.lines(metric + " per epoch, every trial", "epoch", metric,
                    curves.stream().filter(c -> !c.isEmpty()).toList(), false), 420);
        }
        throughput(page, storage, spec, board, configs);
        hyperparameters(page, spec, board);
        Redaction secrets = Redaction.of(spec.base().cluster().spark());
        ObjectNode sweep = json.valueToTree(spec.config());
        if (sweep.get("base") instanceof ObjectNode inline) {
            sweep.set("base", secrets.redact(inline));
        }
        page.details("sweep file and base config", spec.source() + "\n" + secrets.redact(sweep).toPrettyString()
                + "\nbase:\n" + secrets.redact(spec.baseTree()).toPrettyString());
        storage.writeAtomically(dir + "/report.html", page.render().getBytes(StandardCharsets.UTF_8));
    }

    /** Examples/s of every trial's last run and, with a {@code target}, its training seconds until it reached it. */
    private void throughput(HtmlPage page, Storage storage, SweepSpec spec, Leaderboard board, TrialConfigs configs)
            throws IOException {
        List<String> names = new ArrayList<>();
        List<Double> speeds = new ArrayList<>();
        List<Double> toTarget = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        Optional<Double> target = Optional.ofNullable(spec.config().target());
        String metric = board.metric();
        for (Leaderboard.Row r : board.rows()) {
            String dir = configs.trialDir(new Trial(r.trial(), r.params()));
            if (r.metric() == null || !storage.exists(dir + "/summary.json")) {
                continue;
            }
            RunData run = RunData.load(storage, dir);
            double speed = RunData.number(run.summary().orElseThrow(), "examplesPerSecond");
            double seconds = Double.NaN;
            double offset = 0; // training seconds of earlier attempts (rungs): each resumed run counts from 0
            double last = 0;
            for (Map<String, Object> e : run.records()) {
                if ("resume".equals(e.get("type"))) {
                    offset += last;
                    last = 0;
                } else if ("epoch".equals(e.get("type"))) {
                    last = RunData.number(e, "trainSeconds");
                    double m = RunData.number(e, metric);
                    if (target.isPresent() && Double.isNaN(seconds) && (spec.config().scheduler().maximise()
                            ? m >= target.get() : m <= target.get())) {
                        seconds = offset + last;
                    }
                }
            }
            names.add(r.trial());
            speeds.add(speed);
            toTarget.add(seconds);
            List<String> row = new ArrayList<>(List.of(r.trial()));
            board.keys().forEach(k -> row.add(Leaderboard.shortText(r.params().get(k))));
            row.add(String.format("%.0f", speed));
            target.ifPresent(t -> row.add(toTarget.get(toTarget.size() - 1).isNaN() ? "not reached"
                    : String.format("%.1f", toTarget.get(toTarget.size() - 1))));
            rows.add(row);
        }
        if (rows.isEmpty()) {
            return;
        }
        page.heading("Throughput");
        List<String> header = new ArrayList<>(List.of("trial"));
        header.addAll(board.keys());
        header.add("examples/s");
        target.ifPresent(t -> header.add("training s to " + metric + " " + (spec.config().scheduler().maximise()
                ? ">= " : "<= ") + t));
        page.table(header, rows);
        List<String> series = new ArrayList<>(List.of("examples/s"));
        List<double[]> values = new ArrayList<>(List.of(speeds.stream().mapToDouble(Double::doubleValue).toArray()));
        page.chart(charts.bars("Examples per second (each trial's last run)", "examples/s", names, series, values),
                300);
        if (target.isPresent() && toTarget.stream().anyMatch(v -> !v.isNaN())) {
            page.chart(charts.bars("Training seconds to " + metric + " " + target.get(), "s", names,
                    List.of("seconds"), List.of(toTarget.stream().mapToDouble(Double::doubleValue).toArray())), 300);
        }
    }

    private void hyperparameters(HtmlPage page, SweepSpec spec, Leaderboard board) {
        List<Leaderboard.Row> scored = board.rows().stream().filter(r -> r.metric() != null).toList();
        if (scored.isEmpty()) {
            return;
        }
        page.heading("Hyperparameters and " + board.metric());
        page.note("Each trial at the highest rung it reached (trials stopped early were measured after fewer "
                + "epochs).");
        List<Charts.Axis> axes = new ArrayList<>();
        Map<String, Distribution> space = spec.config().space();
        for (String key : board.keys()) {
            axes.add(new Charts.Axis(key, categories(key, space.get(key), scored), logAxis(key, space, scored)));
        }
        axes.add(new Charts.Axis(board.metric(), List.of(), false));
        List<List<JsonNode>> lines = new ArrayList<>();
        for (Leaderboard.Row r : scored) {
            List<JsonNode> line = new ArrayList<>();
            board.keys().forEach(k -> line.add(value(r.params().get(k), space.get(k))));
            line.add(NODES.numberNode(r.metric()));
            lines.add(line);
        }
        page.chart(charts.parallel("Parallel coordinates", axes, lines), 420);
        for (String key : board.keys()) {
            List<JsonNode[]> points = new ArrayList<>();
            scored.forEach(r -> points.add(new JsonNode[] {value(r.params().get(key), space.get(key)),
                    NODES.numberNode(r.metric())}));
            page.chart(charts.scatter(board.metric() + " vs " + key, key, board.metric(),
                    categories(key, space.get(key), scored), logAxis(key, space, scored), points), 300);
        }
    }

    /** A log axis for a logUniform key, unless a trial's value is not positive (the base's weight decay 0, say). */
    private static boolean logAxis(String key, Map<String, Distribution> space, List<Leaderboard.Row> rows) {
        return space.get(key).logUniform() != null
                && rows.stream().allMatch(r -> r.params().get(key) != null && r.params().get(key).asDouble() > 0);
    }

    /** Categorical axis values (for choice/grid of non-numbers), else empty (a numeric axis). */
    private static List<String> categories(String key, Distribution d, List<Leaderboard.Row> rows) {
        if (!d.isDiscrete() || d.values().stream().allMatch(JsonNode::isNumber)) {
            return List.of();
        }
        Set<String> values = new LinkedHashSet<>();
        d.values().forEach(v -> values.add(Leaderboard.text(v)));
        rows.forEach(r -> values.add(Leaderboard.text(r.params().get(key))));
        return List.copyOf(values);
    }

    private static JsonNode value(JsonNode v, Distribution d) {
        return v != null && v.isNumber() && (!d.isDiscrete() || d.values().stream().allMatch(JsonNode::isNumber))
                ? v : NODES.textNode(Leaderboard.text(v));
    }
}

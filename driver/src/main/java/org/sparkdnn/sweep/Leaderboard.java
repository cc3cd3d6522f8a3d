package org.sparkdnn.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;

/**
 * The trials ranked: those that reached a higher rung first, then by the metric at their highest rung (the mode's
 * direction; read at the epoch the scheduler's scope names: the best epoch early stopping kept, or the last), then by
 * id; failed trials last. Written as {@code leaderboard.json}, {@code leaderboard.csv} and
 * {@code best.yaml} (the winner's complete run config, to retrain it from scratch into {@code <sweep>/best}).
 */
public record Leaderboard(String metric, String scope, List<String> keys, List<Row> rows) {

    /**
     * One trial. {@code status}: completed (reached the last rung), stopped (not promoted), failed or pending.
     * {@code epochs}: the epochs of the highest rung it trained to; {@code metricEpoch}: the epoch its metric is from.
     */
    public record Row(int rank, String trial, Map<String, JsonNode> params, String status, int epochs, Double metric,
                      Integer metricEpoch, double wallSeconds, long steps, String paramsSha256, String error) {
    }

    static Leaderboard of(SweepSpec spec, List<Trial> trials, Asha.Plan plan, Map<Asha.Job, JobRecord> records) {
        List<Row> rows = new ArrayList<>();
        int lastRung = plan.resources().size() - 1;
        for (Trial t : trials) {
            int rung = plan.topRung(t.id());
            JobRecord r = records.get(new Asha.Job(t.id(), rung));
            double wall = records.values().stream().filter(x -> x.trial().equals(t.id()))
                    .mapToDouble(JobRecord::wallSeconds).sum();
            if (r == null) {
                rows.add(new Row(0, t.id(), t.params(), "pending", 0, null, null, wall, 0, null, null));
            } else {
                String status = r.failed() ? "failed" : rung == lastRung ? "completed" : "stopped";
                rows.add(new Row(0, t.id(), t.params(), status, r.epochs(), r.metric(), r.metricEpoch(), wall,
                        r.steps(), r.paramsSha256(), r.error()));
            }
        }
        Comparator<Asha.Outcome> byMetric = Asha.outcomeOrder(spec.config().scheduler().maximise());
        rows.sort(Comparator.comparing((Row r) -> r.status().equals("failed") || r.status().equals("pending"))
                .thenComparing(Row::epochs, Comparator.reverseOrder())
                .thenComparing(r -> new Asha.Outcome(r.metric() == null ? Double.NaN : r.metric(), r.metric() == null),
                        byMetric)
                .thenComparing(Row::trial));
        List<Row> ranked = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            ranked.add(new Row(i + 1, r.trial(), r.params(), r.status(), r.epochs(), r.metric(), r.metricEpoch(),
                    r.wallSeconds(), r.steps(), r.paramsSha256(), r.error()));
        }
        return new Leaderboard(spec.config().scheduler().metric(), spec.scope().key(),
                List.copyOf(spec.config().space().keySet()), List.copyOf(ranked));
    }

    public Optional<Row> best() {
        return rows.stream().filter(r -> r.status().equals("completed") || r.status().equals("stopped")).findFirst();
    }

    void write(Storage storage, ConfigLoader loader, String dir, TrialConfigs configs) throws IOException {
        storage.writeAtomically(dir + "/leaderboard.json", loader.json().writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(document()));
        storage.writeAtomically(dir + "/leaderboard.csv", csv().getBytes(StandardCharsets.UTF_8));
        Optional<Row> best = best();
        if (best.isPresent()) {
            Row b = best.get();
            RunConfig config = configs.config(new Trial(b.trial(), b.params()), b.epochs(), dir + "/best");
            String header = String.format("# The best trial of the sweep in %s: %s, %s %.6f at epoch %d of %d%n"
                    + "# (scope %s; paramsSha256 %s). scripts/trainer train --config best.yaml retrains it from%n"
                    + "# scratch into output.dir and ends with the same parameters.%n", dir, b.trial(), metric,
                    b.metric(), b.metricEpoch(), b.epochs(), scope, b.paramsSha256());
            storage.writeAtomically(dir + "/best.yaml", (header + loader.toYaml(config))
                    .getBytes(StandardCharsets.UTF_8));
        }
    }

    private Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("metric", metric);
        doc.put("scope", scope);
        doc.put("rows", rows);
        return doc;
    }

    String csv() {
        StringBuilder sb = new StringBuilder("rank,trial");
        keys.forEach(k -> sb.append(',').append(quote(k)));
        sb.append(",status,epochs,").append(metric).append(",metricEpoch,wallSeconds,steps,paramsSha256,error\n");
        for (Row r : rows) {
            sb.append(r.rank()).append(',').append(r.trial());
            keys.forEach(k -> sb.append(',').append(quote(text(r.params().get(k)))));
            sb.append(',').append(r.status()).append(',').append(r.epochs()).append(',')
                    .append(r.metric() == null ? "" : r.metric()).append(',')
                    .append(r.metricEpoch() == null ? "" : r.metricEpoch()).append(',')
                    .append(String.format("%.2f", r.wallSeconds())).append(',').append(r.steps()).append(',')
                    .append(r.paramsSha256() == null ? "" : r.paramsSha256()).append(',')
                    .append(quote(r.error() == null ? "" : r.error())).append('\n');
        }
        return sb.toString();
    }

    static String text(JsonNode v) {
        return v == null ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    /** {@link #text}, with fractional numbers to 4 significant digits (for tables people read; files keep all). */
    public static String shortText(JsonNode v) {
        if (v != null && v.isNumber() && !v.isIntegralNumber() && Double.isFinite(v.doubleValue())) {
            return significant(v.doubleValue(), 4);
        }
        return text(v);
    }

    /** {@code x} rounded to {@code digits} significant digits, without trailing zeros or an exponent. */
    static String significant(double x, int digits) {
        return x == 0 ? "0" : BigDecimal.valueOf(x).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    private static String quote(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n")
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** The key's last segment, or the whole key when another key ends the same way. */
    private String shortKey(String key) {
        String last = key.substring(key.lastIndexOf('.') + 1);
        long same = keys.stream().filter(k -> k.substring(k.lastIndexOf('.') + 1).equals(last)).count();
        return same > 1 ? key : last;
    }

    void print(PrintStream out, String dir) {
        out.printf("%-4s %-5s %-10s %6s %12s %8s  %s%n", "rank", "trial", "status", "epochs", metric, "at epoch",
                "hyperparameters");
        for (Row r : rows.subList(0, Math.min(5, rows.size()))) {
            Map<String, String> p = new LinkedHashMap<>();
            r.params().forEach((k, v) -> p.put(shortKey(k), shortText(v)));
            out.printf("%-4d %-5s %-10s %6d %12s %8s  %s%n", r.rank(), r.trial(), r.status(), r.epochs(),
                    r.metric() == null ? "-" : String.format("%.4f", r.metric()),
                    r.metricEpoch() == null ? "-" : r.metricEpoch(), p);
        }
        long failed = rows.stream().filter(r -> r.status().equals("failed")).count();
        out.printf("%d trials (%d failed); leaderboard in %s/leaderboard.{csv,json}, best config %s/best.yaml%n"
                + "report: %s/report.html%n", rows.size(), failed, dir, dir, dir);
    }
}

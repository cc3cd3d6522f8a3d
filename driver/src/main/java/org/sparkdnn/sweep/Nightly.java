package org.sparkdnn.sweep;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.MetricScope;
import org.sparkdnn.io.Storage;

/**
 * Sweeps night after night: an earlier sweep's leaderboard as a yardstick ({@code --compare-to}: tonight's best
 * against it, a regression beyond a relative tolerance is exit status 3) and as a start ({@code --warm-start}: its
 * top configs are tonight's first trials), and the dated directories of a nightly root ({@code YYYY-MM-DD}, the newest
 * earlier one with a leaderboard is the previous night; only the last N are kept).
 */
public final class Nightly {
    private Nightly() {
    }

    /**
     * An earlier sweep's leaderboard as written: metric, scope (a leaderboard written before scopes existed ranked by
     * each trial's last epoch: {@code last}), mode-free rows.
     */
    public record Earlier(String dir, String metric, String scope, List<Map<String, Object>> rows) {
        public static Earlier read(Storage storage, ObjectMapper json, String dir) throws IOException {
            String file = dir.replaceAll("/+$", "") + "/leaderboard.json";
            if (!storage.exists(file)) {
                throw new ConfigException(dir, "not a finished sweep (no leaderboard.json)", dir);
            }
            Map<String, Object> doc = json.readValue(storage.readString(file), new TypeReference<>() {
            });
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> rows = (List<Map<String, Object>>) doc.get("rows");
            return new Earlier(dir, String.valueOf(doc.get("metric")),
                    String.valueOf(doc.getOrDefault("scope", MetricScope.LAST.key())), rows);
        }

        Optional<Double> bestMetric() {
            return rows.stream().filter(r -> "completed".equals(r.get("status")) || "stopped".equals(r.get("status")))
                    .map(r -> r.get("metric")).filter(m -> m instanceof Number).map(m -> ((Number) m).doubleValue())
                    .findFirst();
        }

        /** The hyperparameters of the best {@code n} trials that did not fail, best first. */
        public List<Map<String, JsonNode>> top(int n, ObjectMapper json) {
            List<Map<String, JsonNode>> top = new ArrayList<>();
            for (Map<String, Object> r : rows) {
                if (top.size() < n && !"failed".equals(r.get("status")) && !"pending".equals(r.get("status"))) {
                    Map<String, JsonNode> params = new LinkedHashMap<>();
                    ((Map<?, ?>) r.get("params")).forEach((k, v) -> params.put(String.valueOf(k), json.valueToTree(v)));
                    top.add(params);
                }
            }
            return top;
        }
    }

    /** Tonight's best against the earlier best; {@code regressed} beyond the relative tolerance. */
    public record Comparison(String metric, double earlier, double tonight, double relativeChange, boolean regressed) {
        public String describe(String earlierDir) {
            return String.format("best %s: %.6f tonight vs %.6f in %s (%+.2f %%)%s", metric, tonight, earlier,
                    earlierDir, 100 * relativeChange, regressed ? ": REGRESSED" : "");
        }
    }

    public static Comparison compare(Earlier earlier, Leaderboard tonight, boolean maximise, double tolerance) {
        if (!earlier.metric().equals(tonight.metric())) {
            throw new ConfigException("--compare-to " + earlier.dir(), "ranks by another metric than tonight ("
                    + tonight.metric() + ")", earlier.metric());
        }
        if (!earlier.scope().equals(tonight.scope())) {
            throw new ConfigException("--compare-to " + earlier.dir(), "read each trial's metric at its " + earlier.scope()
                    + " epoch and tonight at its " + tonight.scope() + " epoch (scheduler.scope): the bests are not "
                    + "comparable; compare with a sweep of the same scope", earlier.scope());
        }
        double before = earlier.bestMetric().orElseThrow(() -> new ConfigException("--compare-to " + earlier.dir(),
                "has no successful trial", "all failed"));
        double now = tonight.best().map(Leaderboard.Row::metric).orElse(maximise ? Double.NEGATIVE_INFINITY
                : Double.POSITIVE_INFINITY);
        double worse = maximise ? before - now : now - before;
        double relative = worse / Math.max(Math.abs(before), 1e-12);
        return new Comparison(tonight.metric(), before, now, maximise ? -relative : relative, relative > tolerance);
    }

    /** The newest night under {@code root} before {@code tonight} that finished (has a leaderboard). */
    public static Optional<String> previousNight(Storage storage, String root, String tonight) throws IOException {
        List<String> nights = nights(storage, root);
        for (int i = nights.size() - 1; i >= 0; i--) {
            String night = nights.get(i);
            if (night.compareTo(tonight) < 0 && storage.exists(root + "/" + night + "/leaderboard.json")) {
                return Optional.of(root + "/" + night);
            }
        }
        return Optional.empty();
    }

    /** Deletes all but the newest {@code keep} dated nights under {@code root}; returns the deleted ones. */
    public static List<String> prune(Storage storage, String root, int keep) throws IOException {
        List<String> nights = nights(storage, root);
        List<String> deleted = new ArrayList<>();
        for (String night : nights.subList(0, Math.max(0, nights.size() - keep))) {
            storage.deleteRecursively(root + "/" + night);
            deleted.add(night);
        }
        return deleted;
    }

    private static List<String> nights(Storage storage, String root) throws IOException {
        return storage.listDirectories(root).stream().filter(n -> n.matches("\\d{4}-\\d{2}-\\d{2}")).toList();
    }
}

package org.sparkdnn.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether a run's config may resume a checkpoint: every key must equal the checkpoint's resolved config except those
 * that do not change the math of the remaining steps — where it runs ({@code cluster.*}: a sync run may resume on
 * another cluster or engine), where it writes ({@code output.*}, {@code checkpoint.*}) and how long it runs
 * ({@code training.epochs}, {@code training.maxSteps}) and what is only reported ({@code training.trainMetricsExamples}).
 */
public final class ResumeCheck {
    private static final List<String> MAY_CHANGE = List.of("cluster.", "output.", "checkpoint.", "training.epochs",
            "training.maxSteps", "training.trainMetricsExamples");

    private ResumeCheck() {
    }

    /** The differing keys as {@code key: checkpoint X, now Y}, empty when the run may resume. */
    public static List<String> differences(JsonNode checkpoint, JsonNode now) {
        Map<String, String> a = flatten(checkpoint);
        Map<String, String> b = flatten(now);
        List<String> diffs = new ArrayList<>();
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String key : keys) {
            if (MAY_CHANGE.stream().anyMatch(key::startsWith)) {
                continue;
            }
            String x = a.getOrDefault(key, "(absent)");
            String y = b.getOrDefault(key, "(absent)");
            if (!x.equals(y)) {
                diffs.add(key + ": checkpoint " + x + ", now " + y);
            }
        }
        return diffs;
    }

    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                flatten(prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey(), f.getValue(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(prefix + "[" + i + "]", node.get(i), out);
            }
        } else {
            out.put(prefix, node.asText());
        }
    }
}

package org.sparkdnn.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * A hyperparameter's distribution in a sweep's {@code space:}, exactly one of
 * {@code choice: [a, b, …]}, {@code grid: [a, b, …]}, {@code uniform: [lo, hi]}, {@code logUniform: [lo, hi]} (lo &gt; 0)
 * or {@code intUniform: [lo, hi]} (both included). Values of {@code choice}/{@code grid} are any YAML scalars or
 * sections (a layer, a schedule).
 */
public record Distribution(List<JsonNode> choice, List<JsonNode> grid, List<Double> uniform, List<Double> logUniform,
                           List<Long> intUniform) {
    public Distribution {
        int set = (choice != null ? 1 : 0) + (grid != null ? 1 : 0) + (uniform != null ? 1 : 0)
                + (logUniform != null ? 1 : 0) + (intUniform != null ? 1 : 0);
        if (set != 1) {
            throw new ConfigException("", "must have exactly one of choice, grid, uniform, logUniform, intUniform",
                    set + " of them");
        }
        if (choice != null && choice.isEmpty()) {
            throw new ConfigException("choice", "must list at least one value", "[]");
        }
        if (grid != null && grid.isEmpty()) {
            throw new ConfigException("grid", "must list at least one value", "[]");
        }
        range("uniform", uniform);
        range("logUniform", logUniform);
        if (logUniform != null && !(logUniform.get(0) > 0)) {
            throw new ConfigException("logUniform", "must have a lower bound > 0", logUniform);
        }
        if (intUniform != null && (intUniform.size() != 2 || intUniform.get(0) > intUniform.get(1))) {
            throw new ConfigException("intUniform", "must be [lo, hi] with lo <= hi", intUniform);
        }
    }

    private static void range(String field, List<Double> r) {
        if (r != null && (r.size() != 2 || !Double.isFinite(r.get(0)) || !Double.isFinite(r.get(1))
                || !(r.get(0) < r.get(1)))) {
            throw new ConfigException(field, "must be [lo, hi] with finite lo < hi", r);
        }
    }

    /** The finite list of values for grid search ({@code grid} or {@code choice}); empty for the continuous ones. */
    public List<JsonNode> values() {
        return grid != null ? grid : choice != null ? choice : List.of();
    }

    public boolean isDiscrete() {
        return grid != null || choice != null;
    }

    /** The value at quantile {@code u} in [0, 1). */
    public JsonNode at(double u, JsonNodeFactory nodes) {
        if (isDiscrete()) {
            List<JsonNode> v = values();
            return v.get(Math.min(v.size() - 1, (int) Math.floor(u * v.size())));
        }
        if (uniform != null) {
            return nodes.numberNode(uniform.get(0) + u * (uniform.get(1) - uniform.get(0)));
        }
        if (logUniform != null) {
            double lo = Math.log(logUniform.get(0));
            double hi = Math.log(logUniform.get(1));
            return nodes.numberNode(Math.exp(lo + u * (hi - lo)));
        }
        long lo = intUniform.get(0);
        long span = intUniform.get(1) - lo + 1;
        return nodes.numberNode(lo + Math.min(span - 1, (long) Math.floor(u * span)));
    }

    /** A value every form has (the first listed, or the lower bound): to check that the key exists in a run config. */
    public JsonNode example(JsonNodeFactory nodes) {
        return at(0, nodes);
    }

    /** "logUniform [0.0001, 0.1]" etc., for the report. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (choice != null) {
            parts.add("choice " + choice);
        } else if (grid != null) {
            parts.add("grid " + grid);
        } else if (uniform != null) {
            parts.add("uniform " + uniform);
        } else if (logUniform != null) {
            parts.add("logUniform " + logUniform);
        } else {
            parts.add("intUniform " + intUniform);
        }
        return String.join(" ", parts);
    }
}

package org.sparkdnn.experiment;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdnn.config.ConfigException;

/**
 * One experiment ({@code conf/experiments/NAME.yaml}): what the lecture claims, quoted with its file and section; the
 * training config its runs start from ({@code base}, a path relative to the project root) with the settings every run
 * shares ({@code set}), those of each scale ({@code small}: what the tests run, seconds; {@code full}: the real
 * experiment) and those of each run; and the checks, written before anything ran, whose verdicts are computed from
 * the runs' recorded metrics.
 *
 * @param title    a heading
 * @param lecture  where the claim comes from
 * @param base     the training config every run starts from
 * @param set      {@code key=value} overrides every run gets
 * @param scales   per scale ({@code small}, {@code full}), its overrides
 * @param runs     per run name, its overrides (in order)
 * @param checks   the pre-declared checks
 */
public record ExperimentSpec(String title, Lecture lecture, String base, List<String> set,
                             Map<String, List<String>> scales, LinkedHashMap<String, List<String>> runs,
                             List<Check> checks) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /**
     * @param file    the lecture notes' file (shared/lectures/…), or the paper a claim is from
     * @param section the slide or section title
     * @param quote   the claim in the notes' words
     */
    public record Lecture(String file, String section, String quote) {
    }

    /**
     * A claim as a comparison of two recorded metrics: {@code left op factor × right}, e.g. layer 0's gradient norm
     * &lt; 0.001 × layer 19's.
     *
     * @param claim  the claim this check tests, in words
     * @param left   the left side
     * @param op     {@code <} or {@code >}
     * @param factor the right side's factor (default 1)
     * @param right  the right side
     * @param smallScale {@code holds} (default): the claim is expected to hold at the small scale too, and the tests
     *               fail if it does not; {@code unknown}: at small scale only the verdict's being computed is tested
     */
    public record Check(String claim, Metric left, String op, Double factor, Metric right, String smallScale) {
        public double factorOrOne() {
            return factor == null ? 1.0 : factor;
        }

        /** Whether the claim is expected to hold at the small scale (the tests' scale). */
        public boolean holdsAtSmallScale() {
            return smallScale == null || "holds".equals(smallScale);
        }
    }

    /**
     * A number a run recorded: {@code gradientNorm.LAYER} (the layer's gradient norm at the first recorded step),
     * {@code firstLoss}/{@code lastLoss} (the mean training loss of the first and the last epoch), or a path into its summary
     * ({@code test.accuracy}, {@code train.loss}, …).
     */
    public record Metric(String run, String metric) {
        @Override
        public String toString() {
            return run + ": " + metric;
        }
    }

    /** Reads and checks a spec; errors name the file and the key. */
    public static ExperimentSpec parse(String source, String yaml) {
        ExperimentSpec spec;
        try {
            spec = YAML.readValue(yaml, ExperimentSpec.class);
        } catch (IOException e) {
            throw new ConfigException(source, "is not a valid experiment: " + e.getMessage().split("\n")[0], "");
        }
        spec.validate(source);
        return spec;
    }

    private void validate(String source) {
        require(source, "title", title);
        require(source, "lecture", lecture);
        require(source, "base", base);
        require(source, "runs", runs);
        require(source, "checks", checks);
        if (runs.isEmpty() || checks.isEmpty()) {
            throw new ConfigException(source + ": " + (runs.isEmpty() ? "runs" : "checks"), "must not be empty", "");
        }
        for (int i = 0; i < checks.size(); i++) {
            Check c = checks.get(i);
            String at = source + ": checks[" + i + "]";
            require(at, "claim", c.claim());
            require(at, "left", c.left());
            require(at, "right", c.right());
            if (c.smallScale() != null && !List.of("holds", "unknown").contains(c.smallScale())) {
                throw new ConfigException(at + ".smallScale", "must be holds or unknown", c.smallScale());
            }
            if (!"<".equals(c.op()) && !">".equals(c.op())) {
                throw new ConfigException(at + ".op", "must be < or >", c.op());
            }
            for (Metric m : List.of(c.left(), c.right())) {
                if (!runs.containsKey(m.run())) {
                    throw new ConfigException(at + ".run", "names no run of this experiment (runs: " + runs.keySet()
                            + ")", m.run());
                }
            }
        }
    }

    private static void require(String at, String key, Object value) {
        if (value == null) {
            throw new ConfigException(at + "." + key, "must be set", "missing");
        }
    }

    /** The overrides of {@code scale}, or an error naming the scales there are. */
    public List<String> scale(String scale) {
        Map<String, List<String>> all = scales == null ? Map.of() : scales;
        if (!all.containsKey(scale) && !"full".equals(scale)) {
            throw new ConfigException("--scale", "must be one of " + all.keySet() + " or full", scale);
        }
        return all.getOrDefault(scale, List.of());
    }
}

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
 * @param seeds    per scale, how many times each run is trained (training.seed = 1, 2, …; default once, with the
 *                 config's seed): a run's metrics are then means over its seeds (gradient norms: geometric means)
 * @param references named expectations computed without the trainer ({@link Reference}), for checks to compare with
 * @param tune     per run, a setting to tune before it runs ({@link Tune})
 * @param checks   the pre-declared checks
 */
public record ExperimentSpec(String title, Lecture lecture, String base, List<String> set,
                             Map<String, List<String>> scales, LinkedHashMap<String, List<String>> runs,
                             Map<String, Integer> seeds, Map<String, Reference> references, Map<String, Tune> tune,
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
     * A number a run recorded ({@link Metrics} lists them: gradient norms and activation statistics per layer, losses,
     * epochs to a loss, the deviation from a reference, or a path into the run's summary), or a constant
     * ({@code value}, no run).
     */
    public record Metric(String run, String metric, Double value) {
        @Override
        public String toString() {
            return value != null ? String.valueOf(value) : run + ": " + metric;
        }
    }

    /**
     * An expectation computed without the trainer, in double: {@code sigmoidChain} is lecture 000's chain of
     * {@code layers} width-1 sigmoid layers (then an identity output unit, squared loss against y = 0, inputs uniform
     * in [−1, 1]) with weights ~ N(0, weightStd²) and biases ~ N(0, biasStd²): the mean over {@code draws} networks
     * of each layer's log10 gradient norm on a batch of {@code batch}, relative to the last hidden layer's.
     */
    public record Reference(String type, Integer layers, Double weightStd, Double biasStd, Integer batch,
                            Integer draws) {
    }

    /**
     * A setting tuned before a run: one training per value (the config's own seed, with {@code set} on top, e.g. fewer
     * epochs), the value whose run scores best on {@code minimize} or {@code maximize} (a metric, as in checks) is
     * the one the run then trains with — e.g. each optimizer's learning rate. {@code small}: the values tried at the
     * small scale (default: all of them), to keep the tests short.
     */
    public record Tune(String key, List<String> values, String minimize, String maximize, List<String> set,
                       List<String> small) {
        /** The values tried at {@code scale}. */
        public List<String> valuesAt(String scale) {
            return "small".equals(scale) && small != null && !small.isEmpty() ? small : values;
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
        for (Map.Entry<String, Reference> r : (references == null ? Map.<String, Reference>of() : references).entrySet()) {
            String at = source + ": references." + r.getKey();
            Reference ref = r.getValue();
            if (!"sigmoidChain".equals(ref.type())) {
                throw new ConfigException(at + ".type", "must be sigmoidChain", ref.type());
            }
            require(at, "layers", ref.layers());
            require(at, "weightStd", ref.weightStd());
            require(at, "biasStd", ref.biasStd());
            require(at, "batch", ref.batch());
            require(at, "draws", ref.draws());
            if (ref.layers() < 2 || ref.batch() < 1 || ref.draws() < 1) {
                throw new ConfigException(at, "needs layers >= 2, batch >= 1 and draws >= 1",
                        ref.layers() + "/" + ref.batch() + "/" + ref.draws());
            }
        }
        for (Map.Entry<String, Tune> t : tuneOrNone().entrySet()) {
            String at = source + ": tune." + t.getKey();
            Tune tune = t.getValue();
            if (!runs.containsKey(t.getKey())) {
                throw new ConfigException(at, "names no run of this experiment (runs: " + runs.keySet() + ")",
                        t.getKey());
            }
            require(at, "key", tune.key());
            require(at, "values", tune.values());
            if (tune.values().isEmpty() || (tune.minimize() == null) == (tune.maximize() == null)) {
                throw new ConfigException(at, "needs values and one of minimize or maximize",
                        tune.values() + "/" + tune.minimize() + "/" + tune.maximize());
            }
            Metrics.check(at + ".metric", tune.minimize() != null ? tune.minimize() : tune.maximize(),
                    referencesOrNone());
        }
        for (Map.Entry<String, Integer> n : (seeds == null ? Map.<String, Integer>of() : seeds).entrySet()) {
            if (!"full".equals(n.getKey()) && (scales == null || !scales.containsKey(n.getKey()))) {
                throw new ConfigException(source + ": seeds." + n.getKey(), "names no scale (scales: "
                        + (scales == null ? "[]" : scales.keySet()) + ", full)", n.getKey());
            }
            if (n.getValue() == null || n.getValue() < 1) {
                throw new ConfigException(source + ": seeds." + n.getKey(), "must be >= 1", n.getValue());
            }
        }
        if (runs.isEmpty() || checks.isEmpty()) {
            throw new ConfigException(source + ": " + (runs.isEmpty() ? "runs" : "checks"), "must not be empty", "");
        }
        for (String run : runs.keySet()) {
            if (!run.matches("[A-Za-z0-9][A-Za-z0-9._-]*") || run.equals("_tune")) {
                throw new ConfigException(source + ": runs", "a run's name is a directory name: letters, digits, "
                        + "'.', '_', '-', not starting with '.', '_' or '-'", run);
            }
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
            if (c.factor() != null && !(c.factor() > 0 && Double.isFinite(c.factor()))) {
                throw new ConfigException(at + ".factor", "must be a finite number > 0", c.factor());
            }
            if (!"<".equals(c.op()) && !">".equals(c.op())) {
                throw new ConfigException(at + ".op", "must be < or >", c.op());
            }
            for (Metric m : List.of(c.left(), c.right())) {
                if (m.value() != null) {
                    if (m.run() != null || m.metric() != null) {
                        throw new ConfigException(at, "a side is a value or a run's metric, not both", m);
                    }
                    continue;
                }
                require(at, "metric", m.metric());
                Metrics.check(at + ".metric", m.metric(), references == null ? Map.of() : references);
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

    /** How many seeds each run is trained with at {@code scale} (1: once, with the config's own seed). */
    public int seedCount(String scale) {
        return seeds == null ? 1 : seeds.getOrDefault(scale, 1);
    }

    /** The tuned settings per run (none when the spec has none). */
    public Map<String, Tune> tuneOrNone() {
        return tune == null ? Map.of() : tune;
    }

    /** The named references (none when the spec has none). */
    public Map<String, Reference> referencesOrNone() {
        return references == null ? Map.of() : references;
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

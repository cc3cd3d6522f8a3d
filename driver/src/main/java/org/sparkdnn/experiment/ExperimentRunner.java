package org.sparkdnn.experiment;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;
import org.sparkdnn.run.DivergenceException;
import org.sparkdnn.run.TrainingRun;

/**
 * Runs an experiment: trains each of its runs afresh (the base config, the shared settings, the scale's, the run's;
 * output in {@code OUT/NAME/RUN}, whatever an earlier run left there deleted first), then computes every check's verdict from what the runs recorded — held or not held, or
 * not computed when a metric is missing — and writes {@code OUT/NAME/experiment.json}. Nothing of a verdict is
 * written by hand.
 */
public final class ExperimentRunner {
    private final Storage storage;
    private final String root;
    private final PrintStream console;
    private final ObjectMapper json = new ConfigLoader().json();

    /** @param root the project root, against which a spec's {@code base} is resolved */
    public ExperimentRunner(Storage storage, String root, PrintStream console) {
        this.storage = storage;
        this.root = root;
        this.console = console;
    }

    /**
     * One check's outcome; {@code leftSd}/{@code rightSd}: the standard deviation over the side's seeds (NaN for a
     * constant or a single seed).
     */
    public record Verdict(String claim, String left, double leftValue, double leftSd, String op, double factor,
                          String right, double rightValue, double rightSd, String verdict,
                          boolean holdsAtSmallScale) {
    }

    /**
     * What an experiment produced: each run's data (one per seed), the references' expectations and the checks'
     * verdicts.
     */
    public record Result(String name, ExperimentSpec spec, String scale, Map<String, List<RunData>> runs,
                         Map<String, double[]> references, Map<String, Object> tuned, List<Verdict> verdicts) {
    }

    public Result run(String name, ExperimentSpec spec, String scale, String out) throws IOException {
        String base = storage.readString(root + "/" + spec.base());
        int seeds = spec.seedCount(scale);
        if (storage.exists(out + "/" + name + "/experiment.json")) {
            storage.deleteRecursively(out + "/" + name + "/experiment.json"); // never beside runs it did not judge
        }
        Map<String, List<RunData>> runs = new LinkedHashMap<>();
        Map<String, Object> tuned = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> r : spec.runs().entrySet()) {
            List<String> sets = new ArrayList<>();
            sets.addAll(spec.set() == null ? List.of() : spec.set());
            sets.addAll(spec.scale(scale));
            sets.addAll(r.getValue() == null ? List.of() : r.getValue());
            ExperimentSpec.Tune tune = spec.tuneOrNone().get(r.getKey());
            if (tune != null) {
                String best = tune(name, r.getKey(), tune, tune.valuesAt(scale), spec.base(), base, sets, out, tuned);
                sets.add(tune.key() + "=" + best);
            }
            List<RunData> data = new ArrayList<>();
            console.printf("experiment %s: run %s (%s scale%s)%n", name, r.getKey(), scale,
                    seeds > 1 ? ", " + seeds + " seeds" : "");
            for (int seed = 1; seed <= seeds; seed++) {
                List<String> seeded = new ArrayList<>(sets);
                if (seeds > 1) {
                    seeded.add("training.seed=" + seed);
                }
                data.add(train(spec.base(), base, seeded,
                        out + "/" + name + "/" + r.getKey() + (seeds > 1 ? "/seed-" + seed : "")));
            }
            runs.put(r.getKey(), data);
        }
        Map<String, double[]> references = references(spec);
        List<Verdict> verdicts = new ArrayList<>();
        for (ExperimentSpec.Check c : spec.checks()) {
            double left = value(runs, c.left(), references);
            double right = value(runs, c.right(), references);
            String verdict = verdict(c, left, right, runs);
            verdicts.add(new Verdict(c.claim(), c.left().toString(), left, sd(runs, c.left()), c.op(),
                    c.factorOrOne(), c.right().toString(), right, sd(runs, c.right()), verdict,
                    c.holdsAtSmallScale()));
            console.printf("  %s: %s (%s = %.4g %s %.4g × %s = %.4g)%n", verdict, c.claim(), c.left(), left, c.op(),
                    c.factorOrOne(), c.right(), right);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", name);
        record.put("title", spec.title());
        record.put("lecture", spec.lecture());
        record.put("scale", scale);
        record.put("seeds", seeds);
        record.put("runs", List.copyOf(runs.keySet()));
        record.put("tuned", tuned);
        record.put("verdicts", verdicts);
        storage.writeAtomically(out + "/" + name + "/experiment.json",
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        return new Result(name, spec, scale, runs, references, tuned, verdicts);
    }

    /**
     * What an earlier {@link #run} left in {@code OUT/NAME}, read back without training anything: its verdicts and
     * choices from experiment.json, its runs' records, the references computed again — to draw the gallery again.
     */
    @SuppressWarnings("unchecked")
    public Result load(String name, ExperimentSpec spec, String out) throws IOException {
        String file = out + "/" + name + "/experiment.json";
        if (!storage.exists(file)) {
            throw new java.io.FileNotFoundException(file + ": no results of experiment " + name + " to draw (run it)");
        }
        Map<String, Object> record = json.readValue(storage.readString(file), Map.class);
        int seeds = ((Number) record.getOrDefault("seeds", 1)).intValue();
        Map<String, List<RunData>> runs = new LinkedHashMap<>();
        for (String run : spec.runs().keySet()) {
            List<RunData> data = new ArrayList<>();
            for (int seed = 1; seed <= seeds; seed++) {
                data.add(RunData.load(storage, out + "/" + name + "/" + run + (seeds > 1 ? "/seed-" + seed : "")));
            }
            runs.put(run, data);
        }
        List<Verdict> verdicts = json.convertValue(record.get("verdicts"),
                json.getTypeFactory().constructCollectionType(List.class, Verdict.class));
        Map<String, Object> tuned = (Map<String, Object>) record.getOrDefault("tuned", Map.of());
        return new Result(name, spec, String.valueOf(record.get("scale")), runs, references(spec), tuned, verdicts);
    }

    /** Every reference's expectation, computed. */
    private static Map<String, double[]> references(ExperimentSpec spec) {
        Map<String, double[]> references = new LinkedHashMap<>();
        spec.referencesOrNone().forEach((key, ref) -> references.put(key, SigmoidChain.expectedRelativeLogNorms(
                ref.layers(), ref.weightStd(), ref.biasStd(), ref.batch(), ref.draws(), 1L)));
        return references;
    }

    /**
     * Trains {@code sets} plus {@code tune.key=v} for every value v (with {@code tune.set} on top; the config's own
     * seed; output in {@code OUT/NAME/_tune/RUN/i}, beside the run's own directory, which starts afresh) and returns
     * the value whose run scored best on the tune's metric (NaN scores last). What was tried and chosen goes into
     * {@code tuned}.
     */
    private String tune(String name, String run, ExperimentSpec.Tune tune, List<String> values, String source,
                        String base, List<String> sets, String out, Map<String, Object> tuned) throws IOException {
        boolean minimize = tune.minimize() != null;
        String metric = minimize ? tune.minimize() : tune.maximize();
        Map<String, Double> scores = new LinkedHashMap<>();
        String best = null;
        for (int i = 0; i < values.size(); i++) {
            String value = values.get(i);
            List<String> trial = new ArrayList<>(sets);
            trial.addAll(tune.set() == null ? List.of() : tune.set());
            trial.add(tune.key() + "=" + value);
            console.printf("experiment %s: tune %s, %s=%s%n", name, run, tune.key(), value);
            String dir = out + "/" + name + "/_tune/" + run + "/" + i;
            double score = Metrics.one(train(source, base, trial, dir), metric);
            scores.put(value, score);
            double sign = minimize ? 1 : -1;
            if (!Double.isNaN(score) && (best == null || sign * score < sign * scores.get(best))) {
                best = value;
            }
        }
        if (best == null) {
            best = values.get(0);
        }
        console.printf("  %s: %s=%s (%s %s: %s)%n", run, tune.key(), best, minimize ? "lowest" : "highest", metric,
                scores);
        tuned.put(run, Map.of("key", tune.key(), "metric", metric, "scores", scores, "chosen", best));
        return best;
    }

    /**
     * One training run afresh in {@code dir} (whatever an earlier run left there is deleted first), without periodic
     * checkpoints unless the spec sets them.
     */
    private RunData train(String source, String base, List<String> sets, String dir) throws IOException {
        // no periodic checkpoints (a run never resumes here; a spec may still ask for them)
        List<String> all = new ArrayList<>(List.of("checkpoint.everyEpochs=0", "checkpoint.everySteps=0"));
        all.addAll(sets);
        all.add("output.dir=" + dir);
        all.add("checkpoint.dir=" + dir + "/checkpoints"); // inside the run's directory, deleted with it
        RunConfig config = new ConfigLoader().parse(source, base, all);
        if (storage.exists(dir)) {
            storage.deleteRecursively(dir); // never resume an earlier experiment's checkpoints
        }
        try {
            new TrainingRun(config, storage, new PrintStream(java.io.OutputStream.nullOutputStream()),
                    System::nanoTime, Optional.empty()).execute();
        } catch (DivergenceException e) {
            console.printf("  %s diverged (a result: its last loss counts as infinite): %s%n", dir, e.getMessage());
        }
        return RunData.load(storage, dir);
    }

    /**
     * held / not held / not computed. A time-to metric that never reached its target (infinite) is known only to
     * exceed its lower bound ({@link Metrics#lowerBound}): the verdict then stands only where the bound decides it
     * (e.g. "x takes fewer epochs than y" holds when x is below y's bound), and is "not computed" otherwise.
     */
    static String verdict(ExperimentSpec.Check c, double left, double right, Map<String, List<RunData>> runs) {
        if (Double.isNaN(left) || Double.isNaN(right)) {
            return "not computed";
        }
        boolean less = "<".equals(c.op());
        double f = c.factorOrOne();
        boolean leftBound = Double.isInfinite(left) && c.left().value() == null && Metrics.isTimeTo(c.left().metric());
        boolean rightBound = Double.isInfinite(right) && c.right().value() == null
                && Metrics.isTimeTo(c.right().metric());
        if (leftBound && rightBound) {
            return "not computed";
        }
        if (leftBound) { // the true left is > lb
            double lb = Metrics.lowerBound(runs.get(c.left().run()), c.left().metric());
            if (less) {
                return lb >= f * right ? "not held" : "not computed";
            }
            return lb > f * right ? "held" : "not computed";
        }
        if (rightBound) { // the true right is > rb
            double rb = Metrics.lowerBound(runs.get(c.right().run()), c.right().metric());
            if (less) {
                return left < f * rb ? "held" : "not computed";
            }
            return left <= f * rb ? "not held" : "not computed";
        }
        double bound = f * right;
        return (less ? left < bound : left > bound) ? "held" : "not held";
    }

    /** The standard deviation over a side's seeds; NaN for a constant or one seed. */
    static double sd(Map<String, List<RunData>> runs, ExperimentSpec.Metric side) {
        if (side.value() != null || runs.get(side.run()).size() < 2 || side.metric().startsWith("gradientNorm.")) {
            return Double.NaN; // a gradient norm's mean is geometric: an arithmetic sd beside it would mislead
        }
        List<RunData> seeds = runs.get(side.run());
        double[] v = seeds.stream().mapToDouble(r -> Metrics.one(r, side.metric())).toArray();
        double mean = java.util.Arrays.stream(v).average().orElse(Double.NaN);
        double sq = java.util.Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum();
        return Math.sqrt(sq / (v.length - 1));
    }

    /** A side of a check: its constant, or its run's metric over the run's seeds ({@link Metrics}). */
    static double value(Map<String, List<RunData>> runs, ExperimentSpec.Metric side, Map<String, double[]> references) {
        return side.value() != null ? side.value() : Metrics.value(runs.get(side.run()), side.metric(), references);
    }
}

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

    /** One check's outcome. */
    public record Verdict(String claim, String left, double leftValue, String op, double factor, String right,
                          double rightValue, String verdict, boolean holdsAtSmallScale) {
    }

    /**
     * What an experiment produced: each run's data (one per seed), the references' expectations and the checks'
     * verdicts.
     */
    public record Result(String name, ExperimentSpec spec, String scale, Map<String, List<RunData>> runs,
                         Map<String, double[]> references, List<Verdict> verdicts) {
    }

    public Result run(String name, ExperimentSpec spec, String scale, String out) throws IOException {
        String base = storage.readString(root + "/" + spec.base());
        int seeds = spec.seedCount(scale);
        Map<String, List<RunData>> runs = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> r : spec.runs().entrySet()) {
            List<RunData> data = new ArrayList<>();
            console.printf("experiment %s: run %s (%s scale%s)%n", name, r.getKey(), scale,
                    seeds > 1 ? ", " + seeds + " seeds" : "");
            for (int seed = 1; seed <= seeds; seed++) {
                String dir = out + "/" + name + "/" + r.getKey() + (seeds > 1 ? "/seed-" + seed : "");
                List<String> sets = new ArrayList<>();
                sets.addAll(spec.set() == null ? List.of() : spec.set());
                sets.addAll(spec.scale(scale));
                sets.addAll(r.getValue() == null ? List.of() : r.getValue());
                if (seeds > 1) {
                    sets.add("training.seed=" + seed);
                }
                sets.add("output.dir=" + dir);
                RunConfig config = new ConfigLoader().parse(spec.base(), base, sets);
                if (storage.exists(dir)) {
                    storage.deleteRecursively(dir); // a fresh run: never resume an earlier experiment's checkpoints
                }
                try {
                    new TrainingRun(config, storage, new PrintStream(java.io.OutputStream.nullOutputStream()),
                            System::nanoTime, Optional.empty()).execute();
                } catch (DivergenceException e) {
                    console.printf("  %s diverged (a result: its last loss counts as infinite): %s%n", dir,
                            e.getMessage());
                }
                data.add(RunData.load(storage, dir));
            }
            runs.put(r.getKey(), data);
        }
        Map<String, double[]> references = new LinkedHashMap<>();
        spec.referencesOrNone().forEach((key, ref) -> references.put(key, SigmoidChain.expectedRelativeLogNorms(
                ref.layers(), ref.weightStd(), ref.biasStd(), ref.batch(), ref.draws(), 1L)));
        List<Verdict> verdicts = new ArrayList<>();
        for (ExperimentSpec.Check c : spec.checks()) {
            double left = value(runs, c.left(), references);
            double right = value(runs, c.right(), references);
            double bound = c.factorOrOne() * right;
            String verdict = Double.isNaN(left) || Double.isNaN(right) ? "not computed"
                    : ("<".equals(c.op()) ? left < bound : left > bound) ? "held" : "not held";
            verdicts.add(new Verdict(c.claim(), c.left().toString(), left, c.op(), c.factorOrOne(),
                    c.right().toString(), right, verdict, c.holdsAtSmallScale()));
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
        record.put("verdicts", verdicts);
        storage.writeAtomically(out + "/" + name + "/experiment.json",
                json.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
        return new Result(name, spec, scale, runs, references, verdicts);
    }

    /** A side of a check: its constant, or its run's metric over the run's seeds ({@link Metrics}). */
    static double value(Map<String, List<RunData>> runs, ExperimentSpec.Metric side, Map<String, double[]> references) {
        return side.value() != null ? side.value() : Metrics.value(runs.get(side.run()), side.metric(), references);
    }
}

package org.sparkdnn.console;

import java.io.PrintStream;
import java.util.Map;

/** The end of a run on the console: loss and accuracy (or MSE) per split, steps and speed, where the outputs are. */
public final class SummaryTable {
    private static final String[] SPLITS = {"train", "validation", "test"};

    private SummaryTable() {
    }

    /** @param summary the run's summary.json content */
    public static void print(PrintStream out, Map<String, Object> summary, String outputDir) {
        boolean regression = false;
        for (String split : SPLITS) {
            regression |= summary.get(split) instanceof Map<?, ?> m && m.containsKey("mse");
        }
        out.printf("%-11s %9s %9s %9s%n", "", "loss", regression ? "mse" : "accuracy", "examples");
        for (String split : SPLITS) {
            if (summary.get(split) instanceof Map<?, ?> m) {
                Object metric = m.get(regression ? "mse" : "accuracy");
                out.printf("%-11s %9.4f %9s %9s%n", split, ((Number) m.get("loss")).doubleValue(),
                        metric instanceof Number n ? String.format("%.4f", n.doubleValue()) : "-", m.get("examples"));
            }
        }
        String early = Boolean.TRUE.equals(summary.get("stoppedEarly"))
                ? "; stopped early, kept epoch " + summary.get("bestEpoch")
                : summary.get("last") instanceof Map<?, ?> last
                ? "; kept the best epoch, " + summary.get("bestEpoch") + " of " + last.get("epoch") : "";
        out.printf("%s steps in %.1f s of training (%.0f examples/s)%s%n", summary.get("steps"),
                ((Number) summary.get("trainSeconds")).doubleValue(),
                ((Number) summary.get("examplesPerSecond")).doubleValue(), early);
        out.printf("outputs in %s (model.zip, summary.json, metrics.jsonl, train.log)%nreport: %s/report.html%n",
                outputDir, outputDir);
    }
}

package org.sparkdnn.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One summary-table row per run: what it trained, how far, how well and how fast. */
final class RunSummaryRows {
    static final List<String> HEADER = List.of("run", "engine", "workers", "steps", "epochs", "train loss",
            "validation loss", "validation acc.", "test loss", "test acc.", "examples/s", "wall s", "status");

    private RunSummaryRows() {
    }

    static List<String> row(RunData run) {
        List<String> row = new ArrayList<>();
        row.add(run.name());
        if (run.summary().isEmpty()) {
            List<Map<String, Object>> epochs = run.ofType("epoch");
            row.addAll(List.of("", "", "", String.valueOf(epochs.size()), "", "", "", "", "", "", ""));
            row.add("unfinished (no summary.json: still training, killed or failed; see train.log)");
            return row;
        }
        Map<String, Object> s = run.summary().get();
        row.add(String.valueOf(s.get("engine")));
        row.add(String.valueOf(s.get("workers")));
        row.add(String.valueOf(s.get("steps")));
        row.add(String.valueOf(s.get("epochs")));
        row.add(fixed(RunData.number(s, "train.loss"), 4));
        row.add(fixed(RunData.number(s, "validation.loss"), 4));
        row.add(fixed(RunData.number(s, "validation.accuracy"), 4));
        row.add(fixed(RunData.number(s, "test.loss"), 4));
        row.add(fixed(RunData.number(s, "test.accuracy"), 4));
        row.add(fixed(RunData.number(s, "examplesPerSecond"), 0));
        row.add(fixed(RunData.number(s, "wallSeconds"), 1));
        row.add(Boolean.TRUE.equals(s.get("stoppedEarly")) ? "stopped early (best epoch " + s.get("bestEpoch") + ")"
                : s.containsKey("last") ? "finished (best epoch " + s.get("bestEpoch") + " kept)" : "finished");
        return row;
    }

    static String fixed(double v, int digits) {
        return Double.isNaN(v) ? "" : String.format("%." + digits + "f", v);
    }
}

package org.sparkdnn.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.console.ConsoleLogging;
import org.sparkdnn.io.Storage;
import org.sparkdnn.report.RunData;
import org.sparkdnn.sweep.Leaderboard;
import org.sparkdnn.sweep.SweepRunner;
import org.sparkdnn.sweep.SweepSpec;

/**
 * The same sweep (same trials) with scheduler {@code none} (every trial trained to maxResource: the full search) and
 * {@code asha}, side by side: epochs trained, wall time, the best trial and its metric, and whether ASHA's best is
 * within 1 % (relative) of the full search's with at most a third of its epochs. Trials train exactly, so ASHA's
 * winner has bitwise the metric the same trial has in the full search.
 *
 * <p>Usage: {@code SweepBenchmark SWEEP_FILE OUTPUT_DIR [--set key=value]…}
 */
public final class SweepBenchmark {
    private SweepBenchmark() {
    }

    record Result(String scheduler, Leaderboard board, Map<String, Object> summary) {
        double epochs() {
            return RunData.number(summary, "epochsTrained");
        }

        double wall() {
            return RunData.number(summary, "wallSeconds");
        }

        Leaderboard.Row best() {
            return board.best().orElseThrow(() -> new IllegalStateException(scheduler + ": every trial failed"));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: SweepBenchmark SWEEP_FILE OUTPUT_DIR [--set key=value]...");
            System.exit(1);
        }
        ConsoleLogging.apply(false);
        List<String> sets = new ArrayList<>();
        for (int i = 2; i + 1 < args.length; i += 2) {
            sets.add(args[i + 1]);
        }
        List<Result> results = new ArrayList<>();
        for (String scheduler : List.of("none", "asha")) {
            results.add(run(args[0], args[1] + "/" + scheduler, scheduler, sets));
        }
        print(results.get(0), results.get(1));
        System.exit(0);
    }

    private static Result run(String file, String out, String scheduler, List<String> sets) throws Exception {
        Storage storage = Storage.withDefaults();
        ConfigLoader loader = new ConfigLoader();
        List<String> all = new ArrayList<>(sets);
        all.add("scheduler.type=" + scheduler);
        all.add("output.dir=" + out);
        SweepSpec spec = SweepSpec.load(storage, loader, file, all);
        System.out.println("== scheduler " + scheduler + " -> " + out);
        Leaderboard board = new SweepRunner(spec, storage, new PrintStream(OutputStream.nullOutputStream()),
                System::nanoTime, Optional.empty()).run(false);
        Map<String, Object> summary = loader.json().readValue(storage.readString(out + "/summary.json"),
                new TypeReference<>() {
                });
        return new Result(scheduler, board, summary);
    }

    private static void print(Result full, Result asha) {
        String metric = full.board().metric();
        System.out.printf("%n%-10s %8s %10s %10s %8s %14s%n", "scheduler", "trials", "epochs", "wall s", "best",
                metric);
        for (Result r : List.of(full, asha)) {
            System.out.printf("%-10s %8d %10.0f %10.1f %8s %14.6f%n", r.scheduler(), r.board().rows().size(),
                    r.epochs(), r.wall(), r.best().trial(), r.best().metric());
        }
        double epochRatio = asha.epochs() / full.epochs();
        double relative = Math.abs(asha.best().metric() - full.best().metric()) / Math.abs(full.best().metric());
        System.out.printf("asha/none: epochs %.3f, wall %.3f; best metric %.2f %% from the full search's%n",
                epochRatio, asha.wall() / full.wall(), 100 * relative);
        System.out.printf("goal (within 1 %% with <= 1/3 of the epochs): %s%n",
                relative <= 0.01 && epochRatio <= 1.0 / 3 ? "met" : "NOT met");
    }
}

package org.sparkdnn.cli;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.io.Storage;
import org.sparkdnn.sweep.Nightly;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code nightly --config F --root DIR [--keep N] [--date YYYY-MM-DD] …}: tonight's sweep into ROOT/DATE, warm-started
 * from and compared with the newest earlier night, then only the last N nights kept. Rerunning on the same date
 * resumes that night's sweep.
 */
@Command(name = "nightly", mixinStandardHelpOptions = true,
        description = "Tonight's sweep in <root>/<date>: warm-started from the newest earlier night's best configs, "
                + "compared with its best (exit status 3 on a regression beyond --tolerance), keeping the last --keep "
                + "nights. For cron: scripts/nightly-sweep.")
final class NightlyCommand implements Callable<Integer> {
    @Mixin
    private SweepOptions sweep = new SweepOptions();

    @Option(names = "--root", required = true, paramLabel = "DIR", description = "Where the nights live (local or Hadoop URI).")
    private String root;

    @Option(names = "--keep", paramLabel = "N", defaultValue = "14", description = "Nights to keep (default: ${DEFAULT-VALUE}).")
    private int keep;

    @Option(names = "--date", paramLabel = "YYYY-MM-DD", description = "Tonight's name (default: today, UTC).")
    private String date;

    @Override
    public Integer call() throws Exception {
        if (keep < 1) {
            throw new ConfigException("--keep", "must be >= 1 (tonight is one of the kept nights)",
                    keep);
        }
        Storage storage = Storage.withDefaults();
        String tonight = date != null ? LocalDate.parse(date).toString() : LocalDate.now(ZoneOffset.UTC).toString();
        String base = root.replaceAll("/+$", "");
        Optional<String> previous = Nightly.previousNight(storage, base, tonight);
        System.out.println("night " + tonight + " in " + base + "/" + tonight
                + previous.map(p -> "; previous night " + p).orElse("; no previous night"));
        SweepCommand command = sweep.command();
        List<String> sets = new ArrayList<>(command.overrides);
        sets.add("output.dir=" + base + "/" + tonight);
        int status = command.run(sets, previous, previous);
        List<String> deleted = Nightly.prune(storage, base, keep);
        if (!deleted.isEmpty()) {
            System.out.println("removed nights " + deleted + " (keeping " + keep + ")");
        }
        return status;
    }

    /** The sweep options a night passes through. */
    static final class SweepOptions {
        @Option(names = "--config", required = true, paramLabel = "FILE", description = "Sweep YAML file.")
        String config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "As for sweep (repeatable).")
        List<String> overrides = new ArrayList<>();

        @Option(names = "--warm-start-top", paramLabel = "N", defaultValue = "3",
                description = "Earlier configs tried first (default: ${DEFAULT-VALUE}).")
        int warmStartTop;

        @Option(names = "--tolerance", paramLabel = "T", defaultValue = "0.01",
                description = "Relative worsening that counts as a regression (default: ${DEFAULT-VALUE}).")
        double tolerance;

        SweepCommand command() {
            SweepCommand c = new SweepCommand();
            c.config = config;
            c.overrides = overrides;
            c.warmStartTop = warmStartTop;
            c.tolerance = tolerance;
            return c;
        }
    }
}

package org.sparkdnn.cli;

import java.io.PrintWriter;
import java.util.List;
import org.sparkdnn.console.ConsoleLogging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the driver: {@code trainer <train|resume|evaluate|compare> …}. */
@Command(name = "trainer", mixinStandardHelpOptions = true, version = "sparkdnn 0.1.0",
        description = "Exact data-parallel deep-net training on Apache Spark.",
        subcommands = {TrainCommand.class, ResumeCommand.class, EvaluateCommand.class, CompareCommand.class,
            ReportCommand.class, SweepCommand.class, NightlyCommand.class, PredictCommand.class, BackendCommand.class,
            ExperimentCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for a bad command line, config or resume (see {@link ExitStatus}). */
    public static final int USER_ERROR = ExitStatus.USAGE;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print every log line on the console (default: warnings and errors only; a run's train.log "
                    + "always has them all).")
    private boolean verbose;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            err.println("error: " + ExitStatus.describe(e));
            if (verboseAnywhere(parsed)) {
                e.printStackTrace(err);
            } else if (ExitStatus.of(e) == ExitStatus.INTERNAL) {
                err.println("(rerun with --verbose for the stack trace)");
            }
            err.flush();
            return ExitStatus.of(e);
        });
        cli.setParameterExceptionHandler(Main::usageError);
        cli.setExecutionStrategy(parsed -> {
            ConsoleLogging.apply(verboseAnywhere(parsed));
            return new CommandLine.RunLast().execute(parsed);
        });
        return cli.execute(args);
    }

    /**
     * A bad command line: one line saying what is wrong — an unknown option before a missing one, since the unknown
     * one is usually the typo behind the other — plus picocli's suggestions and where the help is.
     */
    private static int usageError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        List<String> unmatched = cmd.getUnmatchedArguments();
        if (!unmatched.isEmpty() && !(e instanceof CommandLine.UnmatchedArgumentException)) {
            err.println("error: unknown option or argument " + unmatched + " for '" + cmd.getCommandSpec()
                    .qualifiedName() + "' (and: " + e.getMessage() + ")");
        } else {
            err.println("error: " + e.getMessage());
        }
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("see: " + cmd.getCommandSpec().qualifiedName() + " --help");
        err.flush();
        return ExitStatus.USAGE;
    }

    private static boolean verboseAnywhere(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: train, resume, "
                + "evaluate, predict, compare, report, sweep, nightly or backend");
    }
}

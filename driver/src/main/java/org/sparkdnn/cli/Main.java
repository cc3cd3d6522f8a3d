package org.sparkdnn.cli;

import java.io.PrintWriter;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.console.ConsoleLogging;
import org.sparkdnn.data.DataException;
import org.sparkdnn.run.DivergenceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the driver: {@code trainer <train|resume|evaluate|compare> …}. */
@Command(name = "trainer", mixinStandardHelpOptions = true, version = "sparkdnn 0.1.0",
        description = "Exact data-parallel deep-net training on Apache Spark.",
        subcommands = {TrainCommand.class, ResumeCommand.class, EvaluateCommand.class, CompareCommand.class,
            ReportCommand.class, SweepCommand.class, NightlyCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for invalid config or data and diverged training. */
    public static final int USER_ERROR = 2;

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
            if (e instanceof ConfigException || e instanceof DataException || e instanceof DivergenceException
                    || e instanceof org.sparkdnn.checkpoint.CheckpointException || e instanceof java.io.FileNotFoundException) {
                PrintWriter err = cmd.getErr();
                err.println("error: " + e.getMessage());
                err.flush();
                return USER_ERROR;
            }
            throw e;
        });
        cli.setExecutionStrategy(parsed -> {
            ConsoleLogging.apply(verboseAnywhere(parsed));
            return new CommandLine.RunLast().execute(parsed);
        });
        return cli.execute(args);
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
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: train, resume, evaluate or compare");
    }
}

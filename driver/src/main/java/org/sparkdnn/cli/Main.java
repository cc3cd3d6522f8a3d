package org.sparkdnn.cli;

import java.io.PrintWriter;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.data.DataException;
import org.sparkdnn.run.DivergenceException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the driver: {@code trainer <train|resume|evaluate|compare> …}. */
@Command(name = "trainer", mixinStandardHelpOptions = true, version = "sparkdnn 0.1.0",
        description = "Exact data-parallel deep-net training on Apache Spark.",
        subcommands = {TrainCommand.class, ResumeCommand.class, EvaluateCommand.class, CompareCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for invalid config or data and diverged training. */
    public static final int USER_ERROR = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit status (tests call this instead of main). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof DataException || e instanceof DivergenceException
                    || e instanceof org.sparkdnn.checkpoint.CheckpointException) {
                PrintWriter err = cmd.getErr();
                err.println("error: " + e.getMessage());
                err.flush();
                return USER_ERROR;
            }
            throw e;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: train, resume, evaluate or compare");
    }
}

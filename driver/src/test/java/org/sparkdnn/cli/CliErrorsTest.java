package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad invocations and bad files, row by row: each exits with its documented status (ExitStatus) and says what and
 * where in a few lines on stderr, without a stack trace.
 */
class CliErrorsTest {
    @TempDir
    static Path tmp;
    static final String DIGITS = Path.of("..", "conf", "digits.yaml").toAbsolutePath().normalize().toString();

    private static String file(String name, String content) throws Exception {
        return Files.writeString(tmp.resolve(name), content).toString();
    }

    private static String p(String name) {
        return tmp.resolve(name).toString();
    }

    @BeforeAll
    static void fixtures() throws Exception {
        assertEquals(0, Main.run("train", "--config", DIGITS, "--set", "cluster.engine=local", "--set",
                "training.maxSteps=2", "--output", p("run")));
        file("dup.yaml", "training: {epochs: 2}\ntraining: {epochs: 3}\ndata: {train: 'embedded:digits'}\n");
        file("dupkey.yaml", "data: {train: 'embedded:digits', train: x.csv}\n");
        file("bad.yaml", "model: [unclosed\n");
        file("bad.csv", "1,2,3,0\n1,x,3,1\n");
        file("notamodel.txt", "hello");
        file("sweep-badkey.yaml", "base: " + DIGITS + "\nspace:\n  optimizer.learnignRate: {logUniform: [0.001, 0.1]}\n");
        file("sweep.yaml", "base: " + DIGITS + "\nspace:\n  optimizer.learningRate: {logUniform: [0.001, 0.1]}\n");
        file("sweep-badrange.yaml", "base: " + DIGITS + "\nspace:\n  optimizer.learningRate: {logUniform: [0, 0.1]}\n");
        Files.createDirectories(tmp.resolve("empty"));
    }

    static Stream<Arguments> rows() {
        String model = p("run") + "/model.zip";
        List<Arguments> rows = new ArrayList<>();
        // usage and config: 2
        rows.add(row(2, "a subcommand is required"));
        rows.add(row(2, "Unmatched argument", "trian"));
        rows.add(row(2, "Missing required option: '--config=FILE'", "train"));
        rows.add(row(2, "Unknown option: '--bogus'", "train", "--config", DIGITS, "--bogus"));
        rows.add(row(2, "unknown option or argument [--confg", "train", "--confg", DIGITS));
        rows.add(row(2, "--set: must be key=value", "train", "--config", DIGITS, "--set", "nokeyvalue"));
        rows.add(row(2, "cannot read the config file", "train", "--config", p("missing.yaml")));
        rows.add(row(2, "dup.yaml: line 2: training: appears twice", "train", "--config", p("dup.yaml")));
        rows.add(row(2, "train: appears twice", "train", "--config", p("dupkey.yaml")));
        rows.add(row(2, "bad.yaml: line 1: invalid YAML", "train", "--config", p("bad.yaml")));
        rows.add(row(2, "optimizer.learningRate: must be > 0, was -1", "train", "--config", DIGITS, "--set",
                "optimizer.learningRate=-1"));
        rows.add(row(2, "training.epochs: must be an integer", "train", "--config", DIGITS, "--set",
                "training.epochs=ten"));
        rows.add(row(2, "model.loss: must be one of", "train", "--config", DIGITS, "--set", "model.loss=hinge"));
        rows.add(row(2, "Invalid value for option '--progress'", "train", "--config", DIGITS, "--progress", "sideways"));
        rows.add(row(2, "cluster.workers: must divide training.batchSize (32) with engine shared", "train",
                "--config", DIGITS, "--set", "cluster.engine=shared", "--set", "cluster.workers=3"));
        rows.add(row(2, "optimizer.schedule.type: is not supported with engine shared", "train", "--config", DIGITS,
                "--set", "cluster.engine=shared", "--set", "optimizer.schedule.type=cosine"));
        rows.add(row(2, "Missing required option: '--config=FILE'", "sweep"));
        rows.add(row(2, "space.optimizer.learnignRate: not a key of the base run config", "sweep", "--config",
                p("sweep-badkey.yaml"), "--output", p("s1")));
        rows.add(row(2, "logUniform: must have a lower bound > 0", "sweep", "--config", p("sweep-badrange.yaml"),
                "--output", p("s2")));
        rows.add(row(2, "not a finished sweep (no leaderboard.json)", "sweep", "--config", p("sweep.yaml"),
                "--compare-to", p("empty"), "--output", p("s3")));
        rows.add(row(2, "cannot read the config file", "sweep", "--config", p("missing-sweep.yaml")));
        rows.add(row(2, "--keep: must be >= 1", "nightly", "--config", p("sweep.yaml"), "--root", p("nights"),
                "--keep", "0"));
        rows.add(row(2, "Missing required option: '--from=URI'", "resume"));
        rows.add(row(2, "Missing required parameter: 'B'", "compare", model));
        rows.add(row(2, "Missing required parameter", "report"));
        rows.add(row(2, "Missing required option: '--model=MODEL'", "evaluate"));
        rows.add(row(2, "Invalid value for option '--tolerance'", "compare", model, model, "--tolerance", "tiny"));
        // data: 4
        rows.add(row(4, "bad.csv: line 2", "train", "--config", DIGITS, "--set", "data.train=" + p("bad.csv"),
                "--set", "cluster.engine=local", "--output", p("d1")));
        rows.add(row(4, "bad.csv: line 2", "evaluate", "--model", model, "--data", p("bad.csv")));
        // files and I/O: 5
        rows.add(row(5, "not found: ", "compare", p("missing.zip"), model));
        rows.add(row(5, "notamodel.txt: not a readable DL4J model zip", "compare", p("notamodel.txt"), model));
        rows.add(row(5, "not found: ", "evaluate", "--model", p("missing.zip")));
        rows.add(row(5, "notamodel.txt: not a readable DL4J model zip", "evaluate", "--model", p("notamodel.txt")));
        rows.add(row(5, "not a run directory (no metrics.jsonl)", "report", p("empty")));
        rows.add(row(5, "engine shared: epoch 1 did not finish within cluster.epochTimeoutSeconds=3", "train",
                "--config", DIGITS, "--set", "cluster.engine=shared", "--set", "cluster.epochTimeoutSeconds=3",
                "--set", "cluster.faultInjection.worker=0", "--set", "cluster.faultInjection.stallSeconds=600",
                "--output", p("stuck")));
        // diverged: 6
        rows.add(row(6, "training diverged at step", "train", "--config", DIGITS, "--set", "cluster.engine=local",
                "--set", "optimizer.type=sgd", "--set", "optimizer.learningRate=1e30", "--set", "training.maxSteps=20",
                "--output", p("nan")));
        return rows.stream();
    }

    private static Arguments row(int status, String says, String... args) {
        return Arguments.of(String.join(" ", args).replace(tmp.toString(), "$TMP"), status, says, args);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("rows")
    void aBadInvocationExitsWithItsStatusAndOneClearMessageWithoutAStackTrace(String name, int status, String says,
                                                                            String[] args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = Main.run(args);
        } finally {
            System.setErr(original);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(status, exit, printed);
        assertTrue(printed.contains(says), "says '" + says + "':\n" + printed);
        assertTrue(!printed.contains("\tat ") && !printed.contains("Exception in thread"), "no stack trace:\n" + printed);
        assertTrue(printed.lines().filter(l -> l.startsWith("error: ")).count() == 1, "one error line:\n" + printed);
    }
}

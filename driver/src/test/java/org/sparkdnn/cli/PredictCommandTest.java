package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code predict}: a trained run's model predicts every row of a file with Spark, written as Parquet or CSV. */
class PredictCommandTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    private static Path data;

    @BeforeAll
    static void trainAndCopyData() throws Exception {
        assertEquals(0, Main.run("train", "--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                "cluster.engine=local", "--set", "training.epochs=10", "--output", tmp.resolve("run").toString()));
        data = tmp.resolve("digits.csv.gz");
        try (InputStream in = PredictCommandTest.class.getResourceAsStream("/datasets/digits.csv.gz")) {
            Files.copy(in, data);
        }
    }

    private static JsonNode predict(String... extra) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            String[] args = Stream.concat(Stream.of("predict", "--model", tmp.resolve("run/model.zip").toString(),
                    "--data", data.toString()), Stream.of(extra)).toArray(String[]::new);
            assertEquals(0, Main.run(args));
        } finally {
            System.setOut(out);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
        return new ObjectMapper().readTree(lines.get(lines.size() - 1));
    }

    @Test
    void everyRowGetsAPredictionWrittenAsParquet() throws Exception {
        JsonNode result = predict("--output", tmp.resolve("pred").toString());
        assertEquals(1797, result.get("rows").asLong());
        double accuracy = result.get("accuracy").asDouble();
        assertTrue(accuracy > 0.95, "accuracy on the whole file (80 % of it trained on): " + accuracy);
        SparkSession spark = SparkSession.builder().master("local[1]").config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            Dataset<Row> written = spark.read().parquet(tmp.resolve("pred").toString());
            assertEquals(1797, written.count());
            assertEquals(List.of("label", "rawPrediction", "probability", "prediction"), List.of(written.columns()));
            long right = written.filter("label = prediction").count();
            assertEquals(accuracy, right / 1797.0, 1e-12, "the printed accuracy is the written predictions'");
        } finally {
            spark.stop();
        }
    }

    @Test
    void csvOutputHasOneLinePerRowWithClassProbabilities() throws Exception {
        predict("--output", tmp.resolve("csv").toString(), "--output-format", "csv");
        long lines = 0;
        String header = null;
        try (var parts = Files.list(tmp.resolve("csv"))) {
            for (Path part : parts.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                List<String> content = Files.readAllLines(part);
                header = content.get(0);
                lines += content.size() - 1;
            }
        }
        assertEquals(1797, lines);
        assertEquals("label,prediction,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9", header);
    }

    @Test
    void aFileOfAnotherWidthIsRefusedNamingIt() throws Exception {
        Path narrow = tmp.resolve("narrow.csv");
        Files.writeString(narrow, "1,2,3\n4,5,6\n");
        assertEquals(ExitStatus.DATA, Main.run("predict", "--model", tmp.resolve("run/model.zip").toString(),
                "--data", narrow.toString(), "--output", tmp.resolve("none").toString()));
    }
}

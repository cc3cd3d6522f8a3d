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
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evaluate --data F}: read and evaluated on the executors, the same numbers as on the driver. */
class EvaluateOnExecutorsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    static Path tmp;

    private static Path data;

    @BeforeAll
    static void train() throws Exception {
        assertEquals(0, Main.run("train", "--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                "cluster.engine=local", "--set", "training.epochs=5", "--output", tmp.resolve("run").toString()));
        data = tmp.resolve("digits.csv");
        try (InputStream in = new GZIPInputStream(
                EvaluateOnExecutorsTest.class.getResourceAsStream("/datasets/digits.csv.gz"))) {
            Files.copy(in, data);
        }
    }

    private static JsonNode evaluate(String... extra) throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> args = new ArrayList<>(List.of("evaluate", "--model", tmp.resolve("run/model.zip").toString(),
                "--data", data.toString()));
        args.addAll(List.of(extra));
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run(args.toArray(String[]::new)));
        } finally {
            System.setOut(out);
        }
        List<String> json = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
        return new ObjectMapper().readTree(json.get(json.size() - 1));
    }

    @Test
    void executorsGiveTheDriversNumbers() throws Exception {
        JsonNode executors = evaluate();
        JsonNode driver = evaluate("--on", "driver");
        assertEquals(1797, executors.get("examples").asInt());
        assertEquals(driver.get("examples").asInt(), executors.get("examples").asInt());
        assertEquals(driver.get("accuracy").asDouble(), executors.get("accuracy").asDouble(), 0.0);
        double loss = driver.get("loss").asDouble();
        assertEquals(loss, executors.get("loss").asDouble(), 1e-6 * loss);
        assertTrue(executors.get("accuracy").asDouble() > 0.9, executors.toString());
    }

    @Test
    void parquetIsEvaluatedOnTheExecutorsWithTheCsvsNumbers() throws Exception {
        Path parquet = tmp.resolve("digits.parquet");
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().master("local[2]")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = spark.read().option("inferSchema", "true")
                    .csv(data.toString());
            df.withColumnRenamed(df.columns()[df.columns().length - 1], "digit").coalesce(2).write()
                    .parquet(parquet.toString());
        } finally {
            spark.stop();
        }
        JsonNode csv = evaluate();
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            assertEquals(0, Main.run("evaluate", "--model", tmp.resolve("run/model.zip").toString(), "--data",
                    parquet.toString(), "--set", "data.format=parquet", "--set", "data.labelField=digit"));
        } finally {
            System.setOut(out);
        }
        List<String> json = captured.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("{")).toList();
        JsonNode fromParquet = new ObjectMapper().readTree(json.get(json.size() - 1));
        assertEquals(1797, fromParquet.get("examples").asInt());
        assertEquals(csv.get("accuracy").asDouble(), fromParquet.get("accuracy").asDouble(), 0.0);
        assertEquals(csv.get("loss").asDouble(), fromParquet.get("loss").asDouble(), 1e-6 * csv.get("loss").asDouble());
        assertEquals(ExitStatus.USAGE, Main.run("evaluate", "--model", tmp.resolve("run/model.zip").toString(),
                "--data", parquet.toString(), "--set", "data.format=parquet", "--on", "driver"));
    }

    @Test
    void labelsOutsideTheModelsClassesAreRefusedNamingTheFile() throws Exception {
        Path bad = tmp.resolve("bad.csv");
        List<String> lines = new ArrayList<>(Files.readAllLines(data));
        lines.set(10, lines.get(10).replaceFirst(",[0-9]+$", ",12"));
        Files.write(bad, lines);
        assertEquals(ExitStatus.DATA, Main.run("evaluate", "--model", tmp.resolve("run/model.zip").toString(),
                "--data", bad.toString()));
    }
}

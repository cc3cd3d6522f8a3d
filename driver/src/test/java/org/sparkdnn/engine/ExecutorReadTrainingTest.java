package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;

/**
 * {@code data.read: executors}: the executors read the CSV, the driver holds counts, statistics and the split's row
 * ids; the sync run is the same as when the driver reads the same file — same splits, same scaling, same parameters.
 */
class ExecutorReadTrainingTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void syncOnExecutorReadDataEqualsSyncOnDriverReadData() throws Exception {
        Path csv = tmp.resolve("digits.csv");
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/datasets/digits.csv.gz"))) {
            Files.copy(in, csv);
        }
        String[] common = {"--config", ROOT.resolve("conf/digits.yaml").toString(), "--set", "data.train=" + csv,
            "--set", "training.epochs=3", "--set", "cluster.engine=sync", "--set", "cluster.workers=2",
            "--set", "cluster.master=local[2]", "--set", "checkpoint.everySteps=40"};
        assertEquals(0, Main.run(concat(new String[] {"train"}, common, new String[] {"--set", "data.read=driver",
            "--output", tmp.resolve("driver").toString()})));
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(0, Main.run(concat(new String[] {"train"}, common, new String[] {"--set",
                "data.read=executors", "--output", tmp.resolve("executors").toString()})));
        } finally {
            System.setOut(out);
        }
        assertTrue(console.toString(java.nio.charset.StandardCharsets.UTF_8).contains("1258 train / 180 validation / "
                + "359 test examples"), "the split's sizes, counted in rows:\n" + console);
        ObjectMapper json = new ObjectMapper();
        JsonNode driver = json.readTree(tmp.resolve("driver/summary.json").toFile());
        JsonNode executors = json.readTree(tmp.resolve("executors/summary.json").toFile());
        for (String split : new String[] {"train", "validation", "test"}) {
            assertEquals(driver.at("/" + split + "/examples").asInt(), executors.at("/" + split + "/examples").asInt(),
                    split + " examples");
            double loss = driver.at("/" + split + "/loss").asDouble();
            assertEquals(loss, executors.at("/" + split + "/loss").asDouble(), 1e-6 * loss, split + " loss");
            assertEquals(driver.at("/" + split + "/accuracy").asDouble(),
                    executors.at("/" + split + "/accuracy").asDouble(), 0.0, split + " accuracy");
        }
        assertEquals(1258, executors.at("/train/examples").asInt());
        assertEquals(driver.get("steps").asLong(), executors.get("steps").asLong());
        assertEquals(driver.get("paramsSha256").asText(), executors.get("paramsSha256").asText(),
                "the same rows, order and scaling: the same parameters");
        // the same rows as Parquet (two part files; features = the numeric columns but the label): the same run
        Path parquet = tmp.resolve("digits.parquet");
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().master("local[2]")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df = spark.read().option("inferSchema", "true")
                    .csv(csv.toString());
            df.withColumnRenamed(df.columns()[df.columns().length - 1], "digit").coalesce(2).write()
                    .parquet(parquet.toString());
        } finally {
            spark.stop();
        }
        assertEquals(0, Main.run(concat(new String[] {"train"}, common, new String[] {"--set", "data.read=executors",
            "--set", "data.format=parquet", "--set", "data.train=" + parquet, "--set", "data.labelField=digit",
            "--output", tmp.resolve("parquet").toString()})));
        JsonNode fromParquet = json.readTree(tmp.resolve("parquet/summary.json").toFile());
        assertEquals(driver.get("paramsSha256").asText(), fromParquet.get("paramsSha256").asText(),
                "Parquet rows in file order, ids from _metadata.row_index: the same run");
        // and the reference engine (a Spark job per step, no parameter server) on the same Parquet rows
        assertEquals(0, Main.run(concat(new String[] {"train"}, common, new String[] {"--set", "data.read=executors",
            "--set", "data.format=parquet", "--set", "data.train=" + parquet, "--set", "data.labelField=digit",
            "--set", "cluster.engine=reference", "--output", tmp.resolve("reference").toString()})));
        assertEquals(fromParquet.get("paramsSha256").asText(), json.readTree(tmp.resolve("reference/summary.json")
                .toFile()).get("paramsSha256").asText(), "sync == reference bitwise on Parquet");

        // only the executor path fingerprints its data per partition on the executors
        assertTrue(Files.readString(tmp.resolve("executors/checkpoints/ckpt-0000000040/manifest.json"))
                .contains("\"trainSha256\" : \"executors:"));
        assertTrue(!Files.readString(tmp.resolve("driver/checkpoints/ckpt-0000000040/manifest.json"))
                .contains("executors:"));
        assertTrue(Files.readString(tmp.resolve("executors/scaler.json"))
                .equals(Files.readString(tmp.resolve("driver/scaler.json"))), "the same scaling statistics");
    }

    @Test
    void libSvmReadOnTheExecutorsEqualsLibSvmReadOnTheDriver() throws Exception {
        // the digits as sparse LibSVM (zeros left out, so the width comes from the largest index, as on the driver)
        java.util.List<String> lines = new java.util.ArrayList<>();
        try (java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(new GZIPInputStream(
                getClass().getResourceAsStream("/datasets/digits.csv.gz")), java.nio.charset.StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split(",");
                StringBuilder b = new StringBuilder(f[f.length - 1].replace(".0", ""));
                for (int i = 0; i < f.length - 1; i++) {
                    if (Double.parseDouble(f[i]) != 0) {
                        b.append(' ').append(i + 1).append(':').append(f[i]);
                    }
                }
                lines.add(lines.size() % 400 == 7 ? "# a comment line" : "");
                lines.add(b.toString());
            }
        }
        Path svm = Files.write(tmp.resolve("digits.svm"), lines);
        String[] common = {"--config", ROOT.resolve("conf/digits.yaml").toString(), "--set", "data.train=" + svm,
            "--set", "data.format=libsvm", "--set", "training.epochs=2", "--set", "cluster.engine=sync", "--set",
            "cluster.workers=2", "--set", "cluster.master=local[2]"};
        assertEquals(0, Main.run(concat(new String[] {"train"}, common, new String[] {"--set", "data.read=driver",
            "--output", tmp.resolve("driver").toString()})));
        assertEquals(0, Main.run(concat(new String[] {"train"}, common, new String[] {"--set", "data.read=executors",
            "--output", tmp.resolve("executors").toString()})));
        ObjectMapper json = new ObjectMapper();
        JsonNode driver = json.readTree(tmp.resolve("driver/summary.json").toFile());
        JsonNode executors = json.readTree(tmp.resolve("executors/summary.json").toFile());
        assertEquals(1258, executors.at("/train/examples").asInt());
        assertEquals(driver.get("paramsSha256").asText(), executors.get("paramsSha256").asText(),
                "the same dense rows, splits and scaling: the same parameters");

        // a bad line far into the file (another split than the first): named by file and line, as the driver does
        lines.set(3001, "3 5:1.0 4:2.0");
        Files.write(svm, lines);
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(messages, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(4, Main.run(concat(new String[] {"train"}, common, new String[] {"--set",
                "data.read=executors", "--output", tmp.resolve("bad").toString()})));
        } finally {
            System.setErr(err);
        }
        String text = messages.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("digits.svm: line 3002: feature indices must increase, found 4 after 5"), text);
    }

    @Test
    void whatExecutorsCannotReadYetIsRefusedNamingTheSetting() throws Exception {
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(messages, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(2, Main.run("train", "--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                    "data.read=executors", "--output", tmp.resolve("embedded").toString()));
            Path csv = Files.writeString(tmp.resolve("tiny.csv"), "1,2,0\n3,4,1\n");
            assertEquals(2, Main.run("train", "--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                    "data.read=executors", "--set", "data.train=" + csv, "--set", "cluster.engine=local",
                    "--output", tmp.resolve("local").toString()));
            assertEquals(4, Main.run("train", "--config", ROOT.resolve("conf/digits.yaml").toString(), "--set",
                    "data.format=parquet", "--set", "data.train=" + csv, "--set", "cluster.engine=local",
                    "--output", tmp.resolve("pq").toString()), "a CSV file is no Parquet: a data error");
        } finally {
            System.setErr(err);
        }
        String text = messages.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.contains("tiny.csv: not readable as Parquet"), text);
        assertTrue(text.contains("data.read: executors reads CSV, LibSVM, Parquet, CIFAR and image files; IDX, the embedded and the synthetic sets are read by the driver"), text);
        assertTrue(text.contains("data.read: executors needs a distributed cluster.engine"), text);
    }

    private static String[] concat(String[]... parts) {
        return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}

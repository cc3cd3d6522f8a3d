package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sparkdnn.cli.Main;

/**
 * Exactness on Parquet input (an ML Vector column, three part files), for both batch plans, in double precision:
 * sync on executor-read rows == reference bitwise == sync on driver-gathered rows, and the local engine (one process,
 * rows gathered on the driver) replays the same plan within 1e-10 relative.
 */
class ParquetExactnessTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private Path parquet;

    @BeforeEach
    void writeParquet() throws Exception {
        Path csv = tmp.resolve("digits.csv");
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/datasets/digits.csv.gz"))) {
            Files.copy(in, csv);
        }
        parquet = tmp.resolve("digits.parquet");
        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false")
                .getOrCreate();
        try {
            Dataset<Row> df = spark.read().option("inferSchema", "true").csv(csv.toString());
            String[] columns = df.columns();
            String[] inputs = java.util.Arrays.copyOf(columns, columns.length - 1);
            new VectorAssembler().setInputCols(inputs).setOutputCol("pixels").transform(df)
                    .withColumnRenamed(columns[columns.length - 1], "digit").select("pixels", "digit")
                    .coalesce(3).write().parquet(parquet.toString());
        } finally {
            spark.stop();
        }
    }

    private String train(String name, String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--config", ROOT.resolve("conf/digits.yaml").toString(),
                "--set", "training.epochs=2", "--set", "model.dataType=double", "--set", "cluster.workers=2",
                "--set", "cluster.master=local[2]", "--set", "training.patience=0", "--set", "data.format=parquet",
                "--set", "data.train=" + parquet, "--set", "data.featuresField=pixels", "--set",
                "data.labelField=digit", "--output", tmp.resolve(name).toString()));
        for (String s : sets) {
            args.addAll(List.of("--set", s));
        }
        assertEquals(0, Main.run(args.toArray(String[]::new)), name);
        return new ObjectMapper().readTree(tmp.resolve(name + "/summary.json").toFile()).get("paramsSha256").asText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"global", "partitioned"})
    void everyEngineReplaysThePlanOnParquet(String shuffle) throws Exception {
        String plan = "data.shuffle=" + shuffle;
        String sync = train("sync", plan, "cluster.engine=sync", "data.read=executors");
        String reference = train("reference", plan, "cluster.engine=reference", "data.read=executors");
        String gathered = train("gathered", plan, "cluster.engine=sync", "data.read=driver");
        train("local", plan, "cluster.engine=local");
        assertEquals(sync, reference, "sync == reference bitwise");
        assertEquals(sync, gathered, "executor-read == rows gathered on the driver in id order");
        assertEquals(0, Main.run("compare", tmp.resolve("local/model.zip").toString(),
                tmp.resolve("sync/model.zip").toString(), "--tolerance", "1e-10"), "local within 1e-10 of sync");
        assertNotEquals(0, Main.run("compare", tmp.resolve("local/model.zip").toString(),
                tmp.resolve("sync/model.zip").toString(), "--tolerance", "0"), "the comparison can fail: not bitwise");
    }
}

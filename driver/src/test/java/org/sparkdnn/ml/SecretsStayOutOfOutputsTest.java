package org.sparkdnn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;
import org.sparkdnn.config.Redaction;

/**
 * Secrets given in {@code cluster.spark} (and as a URI password) reach the run but none of its outputs: config.yaml,
 * every checkpoint manifest, report.html, train.log, summary.json, and the Spark ML estimator's saved params.
 */
class SecretsStayOutOfOutputsTest {
    private static final String DIGITS = Path.of("..", "conf", "digits.yaml").toAbsolutePath().normalize().toString();
    private static final List<String> SECRETS = List.of("S3cretKeyValue1", "AuthSecretValue2", "AccessKeyValue3");

    @TempDir
    Path tmp;

    @Test
    void aRunsWholeOutputDirHoldsNoSecretValue() throws IOException {
        Path out = tmp.resolve("run");
        assertEquals(0, Main.run("train", "--config", DIGITS, "--set", "cluster.engine=sync", "--set",
                "cluster.workers=2", "--set", "training.maxSteps=4", "--set", "checkpoint.everySteps=2", "--set",
                "cluster.spark={spark.hadoop.fs.s3a.secret.key: " + SECRETS.get(0) + ", spark.authenticate.secret: "
                        + SECRETS.get(1) + ", spark.hadoop.fs.s3a.access.key: " + SECRETS.get(2) + "}",
                "--output", out.toString()));
        List<Path> files = everyFile(out);
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("manifest.json")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("report.html")), files.toString());
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("train.log")), files.toString());
        assertNoSecretIn(files);
        String config = Files.readString(out.resolve("config.yaml"));
        assertTrue(config.lines().anyMatch(l -> l.contains("spark.authenticate.secret") && l.contains(Redaction.PLACEHOLDER)),
                config);
    }

    @Test
    void theEstimatorsSavedParamsHoldNoSecretValue() throws IOException {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("secrets")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            DnnEstimator estimator = new DnnClassifier()
                    .setConfig("cluster:\n  spark: {spark.hadoop.fs.s3a.secret.key: " + SECRETS.get(0) + "}\n")
                    .setSets("cluster.spark={spark.authenticate.secret: " + SECRETS.get(1) + "}",
                            "data.train=s3a://user:" + SECRETS.get(2) + "@bucket/x.csv", "training.epochs=3");
            estimator.write().save(tmp.resolve("estimator").toString());
            assertNoSecretIn(everyFile(tmp.resolve("estimator")));
            DnnEstimator loaded = DnnClassifier.load(tmp.resolve("estimator").toString());
            assertTrue(List.of(loaded.getOrDefault(loaded.sets())).contains("training.epochs=3"));
            assertTrue(estimator.getOrDefault(estimator.config()).contains(SECRETS.get(0)), "the estimator keeps "
                    + "the real value to train with");
        } finally {
            spark.stop();
        }
    }

    private static List<Path> everyFile(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    private static void assertNoSecretIn(List<Path> files) throws IOException {
        List<String> found = new ArrayList<>();
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String secret : SECRETS) {
                if (text.contains(secret)) {
                    found.add(secret + " in " + f);
                }
            }
        }
        assertEquals(List.of(), found);
    }
}

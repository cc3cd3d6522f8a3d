package org.sparkdnn.engine;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.TrainingRun;

/** Runs a training job in-process on a shared Spark context and reads back its outputs. */
final class Runs {
    private Runs() {
    }

    /** A finished run's directory. */
    record Result(Path dir, JsonNode summary) {
        String sha() {
            return summary.get("paramsSha256").asText();
        }

        Map<String, INDArray> params() throws Exception {
            try (InputStream in = Files.newInputStream(dir.resolve("model.zip"))) {
                ComputationGraph net = ModelSerializer.restoreComputationGraph(in, false);
                return net.paramTable();
            }
        }
    }

    /** {@code sets} followed by {@code more}. */
    static String[] with(String[] sets, String... more) {
        return java.util.stream.Stream.concat(java.util.Arrays.stream(sets), java.util.Arrays.stream(more))
                .toArray(String[]::new);
    }

    static Result train(JavaSparkContext spark, Path out, String yaml, String... overrides) throws Exception {
        List<String> sets = new ArrayList<>(List.of(overrides));
        sets.add("output.dir=" + out);
        RunConfig config = new ConfigLoader().parse("test.yaml", yaml, sets);
        PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
        new TrainingRun(config, Storage.withDefaults(), quiet, System::nanoTime, Optional.ofNullable(spark)).execute();
        return new Result(out, new ConfigLoader().json().readTree(out.resolve("summary.json").toFile()));
    }
}

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.cli.Main;

/**
 * {@code data.shuffle: partitioned} is exact as {@code global} is: every engine replays the same plan — sync ==
 * reference bitwise, on driver-read and executor-read data alike, and local within float rounding (double) — and it
 * is a different plan from global.
 */
class PartitionedShuffleTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private String train(String name, String... sets) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--config", ROOT.resolve("conf/digits.yaml").toString(),
                "--set", "training.epochs=2", "--set", "model.dataType=double", "--set", "cluster.workers=2",
                "--set", "cluster.master=local[2]", "--set", "training.patience=0", "--output",
                tmp.resolve(name).toString()));
        for (String s : sets) {
            args.addAll(List.of("--set", s));
        }
        assertEquals(0, Main.run(args.toArray(String[]::new)), name);
        return new ObjectMapper().readTree(tmp.resolve(name + "/summary.json").toFile()).get("paramsSha256").asText();
    }

    @Test
    void everyEngineReplaysThePartitionedPlan() throws Exception {
        Path csv = tmp.resolve("digits.csv");
        try (InputStream in = new GZIPInputStream(getClass().getResourceAsStream("/datasets/digits.csv.gz"))) {
            Files.copy(in, csv);
        }
        String sync = train("sync", "data.shuffle=partitioned", "cluster.engine=sync", "data.train=" + csv);
        String reference = train("reference", "data.shuffle=partitioned", "cluster.engine=reference",
                "data.train=" + csv);
        String executors = train("executors", "data.shuffle=partitioned", "cluster.engine=sync", "data.train=" + csv,
                "data.read=executors");
        String shuffled = train("shuffled", "data.shuffle=partitioned", "cluster.engine=sync", "data.train=" + csv,
                "cluster.dataPlacement=shuffle");
        train("local", "data.shuffle=partitioned", "cluster.engine=local", "data.train=" + csv);
        String global = train("global", "cluster.engine=sync", "data.train=" + csv);
        assertEquals(sync, reference, "sync == reference bitwise");
        assertEquals(sync, executors, "executor-read == driver-read");
        assertEquals(sync, shuffled, "rows cached at home (dataPlacement shuffle) == broadcast rows");
        assertNotEquals(sync, global, "partitioned is another plan than global");
        assertEquals(0, Main.run("compare", tmp.resolve("local/model.zip").toString(),
                tmp.resolve("sync/model.zip").toString(), "--tolerance", "1e-10"), "local within 1e-10 of sync");
    }
}

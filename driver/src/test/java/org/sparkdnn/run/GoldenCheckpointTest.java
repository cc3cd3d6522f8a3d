package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.io.Storage;

/**
 * Old checkpoints stay readable: {@code src/test/resources/golden/} holds a checkpoint written by an earlier release
 * (commit 3fe412c, checkpoint format 1; its run.yaml says how) at step 30, inside epoch 2, with Adam's state,
 * early-stopping state and the best epoch's parameters. Today's code verifies it, resumes it to the end of the run, and
 * ends where a run from scratch ends. A change of the checkpoint format or of the config that breaks old checkpoints
 * fails here — it must come with a migration (a config key added since then must read as its old behaviour).
 */
class GoldenCheckpointTest {
    @TempDir
    Path tmp;

    static Path golden() throws Exception {
        URL url = GoldenCheckpointTest.class.getResource("/golden/run.yaml");
        return Path.of(url.toURI()).getParent();
    }

    Map<String, Object> train(Path out, Path checkpoints) throws Exception {
        return new TrainingRun(new ConfigLoader().load(Storage.withDefaults(), golden().resolve("run.yaml").toString(),
                List.of("output.dir=" + out, "checkpoint.dir=" + checkpoints)), Storage.withDefaults(),
                new PrintStream(OutputStream.nullOutputStream()), System::nanoTime).execute();
    }

    static double maxAbsDiff(Path a, Path b) throws Exception {
        ComputationGraph x = ModelSerializer.restoreComputationGraph(new File(a.toString()), false);
        ComputationGraph y = ModelSerializer.restoreComputationGraph(new File(b.toString()), false);
        return x.params().sub(y.params()).amaxNumber().doubleValue();
    }

    /** The golden checkpoint directory copied under {@code checkpoints} (a checkpoint is never written in place). */
    static void copyGolden(Path checkpoints) throws Exception {
        Files.createDirectories(checkpoints.resolve("ckpt-0000000030"));
        Files.copy(golden().resolve("latest"), checkpoints.resolve("latest"));
        try (Stream<Path> files = Files.list(golden().resolve("ckpt-0000000030"))) {
            for (Path f : files.toList()) {
                Files.copy(f, checkpoints.resolve("ckpt-0000000030").resolve(f.getFileName()),
                        StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /**
     * The commands that read a config this project wrote before a key moved (the golden manifest's resolved config
     * has cluster.peerUpdate, bucketMB and overlap): {@code resume --from} it, and {@code evaluate} a run directory
     * whose config.yaml has the old keys. Both read the moved keys at their new place instead of refusing them.
     */
    @Test
    void theCommandsReadConfigsWrittenBeforeAKeyMoved() throws Exception {
        Path checkpoints = tmp.resolve("checkpoints");
        copyGolden(checkpoints);
        String manifest = Files.readString(checkpoints.resolve("ckpt-0000000030/manifest.json"));
        assertTrue(manifest.contains("\"peerUpdate\"") && manifest.contains("\"bucketMB\""),
                "the golden manifest has the old keys");
        Path out = tmp.resolve("resumed");
        assertEquals(0, org.sparkdnn.cli.Main.run("resume", "--from", checkpoints.resolve("ckpt-0000000030").toString(),
                "--output", out.toString()));
        assertTrue(Files.exists(out.resolve("model.zip")));
        ConfigLoader loader = new ConfigLoader();
        String oldYaml = loader.yaml(loader.json().readTree(manifest).get("config"));
        assertTrue(oldYaml.contains("peerUpdate:"), oldYaml);
        // as a run directory written before the move (through Hadoop's file system, which keeps a checksum beside it)
        Storage.withDefaults().writeAtomically(out.resolve("config.yaml").toString(),
                oldYaml.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(0, org.sparkdnn.cli.Main.run("evaluate", "--model", out.resolve("model.zip").toString()));
        // a config the user writes today with an old key is refused, naming the new one (exit 2)
        Path mine = tmp.resolve("mine.yaml");
        Files.writeString(mine, oldYaml);
        assertEquals(2, org.sparkdnn.cli.Main.run("evaluate", "--model", out.resolve("model.zip").toString(),
                "--config", mine.toString()));
    }

    @Test
    void aCheckpointWrittenByAnEarlierReleaseResumesToWhereARunFromScratchEnds() throws Exception {
        Path checkpoints = tmp.resolve("checkpoints");
        copyGolden(checkpoints);
        Map<String, Object> resumed = train(tmp.resolve("resumed"), checkpoints);
        assertTrue(String.valueOf(resumed.get("resumedFrom")).endsWith("ckpt-0000000030"),
                String.valueOf(resumed.get("resumedFrom")));
        assertEquals(30L, ((Number) resumed.get("stepsThisRun")).longValue());
        Map<String, Object> fresh = train(tmp.resolve("fresh"), tmp.resolve("fresh-checkpoints"));
        assertEquals(fresh.get("steps"), resumed.get("steps"));
        assertEquals(fresh.get("deliveredEpoch"), resumed.get("deliveredEpoch"));
        // bitwise on the machine kind that wrote it; double precision leaves room for another CPU's GEMM rounding
        double diff = maxAbsDiff(tmp.resolve("resumed/model.zip"), tmp.resolve("fresh/model.zip"));
        assertTrue(diff <= 1e-12, "max |resumed - fresh| = " + diff);
    }
}

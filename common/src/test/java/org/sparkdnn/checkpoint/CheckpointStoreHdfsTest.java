package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sparkdnn.config.ConfigLoader;

/** The checkpoint store against a real HDFS: write, list, load, keep-last-K, best-B, never overwrite. */
class CheckpointStoreHdfsTest {
    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(1);

    static Manifest manifest(long step, Double validationLoss) {
        return new Manifest(Manifest.FORMAT, step, (int) step / 10, (int) step % 10, 42L, validationLoss, Map.of(),
                JsonNodeFactory.instance.objectNode().put("seed", 42), Map.of("java", "17"),
                Map.of("trainSha256", "abc"), Map.of());
    }

    static Map<String, byte[]> model(long step) {
        return Map.of(CheckpointStore.MODEL, ("model of step " + step).repeat(1000).getBytes(StandardCharsets.UTF_8));
    }

    private CheckpointStore store(String dir) {
        return new CheckpointStore(HDFS.uri(dir), HDFS.conf(), new ConfigLoader().json());
    }

    @Test
    void writesListsAndLoadsVerifiedCheckpointsOnHdfs() throws Exception {
        CheckpointStore store = store("/runs/a/checkpoints");
        for (long step : new long[] {10, 20, 30}) {
            String uri = store.write(manifest(step, null), model(step));
            assertTrue(uri.startsWith("hdfs://"), uri);
        }
        assertEquals(List.of(10L, 20L, 30L), store.steps());
        Checkpoint c = store.load(20);
        assertEquals(20, c.manifest().step());
        assertEquals(2, c.manifest().epoch());
        assertArrayEquals(model(20).get(CheckpointStore.MODEL), c.model());
        assertEquals(64, c.manifest().files().get(CheckpointStore.MODEL).length());
        List<String> problems = new ArrayList<>();
        assertEquals(30, store.loadLatestValid(problems).orElseThrow().manifest().step());
        assertTrue(problems.isEmpty());
        FileSystem fs = FileSystem.get(new java.net.URI(HDFS.uri("/")), HDFS.conf());
        assertEquals("ckpt-0000000030", new String(fs.open(new Path(HDFS.uri("/runs/a/checkpoints/latest")))
                .readAllBytes(), StandardCharsets.UTF_8));
        assertEquals(0, fs.globStatus(new Path(HDFS.uri("/runs/a/checkpoints/_tmp-*"))).length, "no temp left");
    }

    @Test
    void neverOverwritesAnExistingCheckpoint() throws Exception {
        CheckpointStore store = store("/runs/b/checkpoints");
        store.write(manifest(5, null), model(5));
        CheckpointException e = assertThrows(CheckpointException.class, () -> store.write(manifest(5, null), model(6)));
        assertTrue(e.getMessage().contains("never overwritten"), e.getMessage());
        assertArrayEquals(model(5).get(CheckpointStore.MODEL), store.load(5).model());
    }

    @Test
    void pruningKeepsTheLastKAndTheBestBByValidationLoss() throws Exception {
        CheckpointStore store = store("/runs/c/checkpoints");
        double[] losses = {0.9, 0.2, 0.5, 0.1, 0.7, 0.8, 0.6};
        for (int i = 0; i < losses.length; i++) {
            store.write(manifest((i + 1) * 10L, losses[i]), model(i));
        }
        List<Long> deleted = store.prune(2, 2);
        assertEquals(List.of(20L, 40L, 60L, 70L), store.steps(), "last 2 (60, 70) and best 2 (40: 0.1, 20: 0.2)");
        assertEquals(List.of(10L, 30L, 50L), deleted);
    }

    @Test
    void anEmptyDirectoryHasNoCheckpointToResume() throws Exception {
        assertEquals(Optional.empty(), store("/runs/none").loadLatestValid(new ArrayList<>()));
    }
}

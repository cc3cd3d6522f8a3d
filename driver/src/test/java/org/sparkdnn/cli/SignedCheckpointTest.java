package org.sparkdnn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.checkpoint.CheckpointStore;

/**
 * With {@code checkpoint.signingKey} a run signs its checkpoints, resumes from them, and refuses one whose model and
 * manifest checksum were rewritten together — which a checksum alone cannot tell from an honest checkpoint.
 */
class SignedCheckpointTest {
    private static final String KEY = "a signing key of more than sixteen bytes";

    @TempDir
    Path tmp;

    @Test
    void aSignedRunResumesFromItsOwnCheckpointAndRefusesAnAlteredOne() throws Exception {
        Path key = Files.writeString(tmp.resolve("key"), KEY);
        String signing = "checkpoint.signingKey=file:" + key;
        assertEquals(0, Main.run("train", "--config", "../conf/digits.yaml", "--set", "cluster.engine=local", "--set",
                "training.maxSteps=4", "--set", "checkpoint.everySteps=2", "--set", signing, "--output",
                tmp.resolve("run").toString()));
        Path ckpt = tmp.resolve("run/checkpoints/ckpt-0000000002");
        assertTrue(Files.exists(ckpt.resolve("manifest.sig")));
        assertFalse(Files.readString(tmp.resolve("run/config.yaml")).contains(KEY), "only where the key is");

        assertEquals(0, Main.run("resume", "--from", ckpt.toString(), "--set", signing, "--output",
                tmp.resolve("resumed").toString()));

        byte[] model = Files.readAllBytes(ckpt.resolve("model.zip"));
        byte[] altered = model.clone();
        altered[altered.length / 2] ^= 1;
        Files.write(ckpt.resolve("model.zip"), altered);
        Path manifest = ckpt.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace(CheckpointStore.sha256(model),
                CheckpointStore.sha256(altered)));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = Main.run("resume", "--from", ckpt.toString(), "--set", signing, "--output",
                    tmp.resolve("refused").toString());
        } finally {
            System.setErr(original);
        }
        String printed = err.toString(StandardCharsets.UTF_8);
        assertEquals(Main.USER_ERROR, exit, printed);
        assertTrue(printed.contains("manifest.sig does not match the manifest under checkpoint.signingKey"), printed);
    }
}

package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.CheckpointConfig;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;

/**
 * Signed checkpoints: with {@code checkpoint.signingKey} a checkpoint whose files and manifest were altered together
 * (the SHA-256s rewritten to match), whose signature was removed, or that another key signed is refused; the key is
 * read from the environment or a file and never appears in the config.
 */
class ManifestSignerTest {
    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    private CheckpointStore store(Optional<ManifestSigner> signer) {
        return new CheckpointStore(dir.toString(), new Configuration(), new ConfigLoader().json()).signedWith(signer);
    }

    @Test
    void aSignedCheckpointIsReadBackAndOneAlteredWithItsChecksumsIsRefused() throws Exception {
        CheckpointStore signed = store(Optional.of(ManifestSigner.ofKey(KEY)));
        signed.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        Path ckpt = dir.resolve("ckpt-0000000010");
        assertTrue(Files.exists(ckpt.resolve("manifest.sig")));
        assertEquals(10, signed.load(10).manifest().step());

        // what a checksum alone cannot catch: new content and the manifest's SHA-256 rewritten to match it
        byte[] altered = "another model".getBytes();
        String before = CheckpointStore.sha256(Files.readAllBytes(ckpt.resolve("model.zip")));
        Files.write(ckpt.resolve("model.zip"), altered);
        Path manifest = ckpt.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replace(before, CheckpointStore.sha256(altered)));
        assertEquals(10, store(Optional.empty()).load(10).manifest().step(), "unsigned reading cannot tell");
        CheckpointException e = assertThrows(CheckpointException.class, () -> signed.load(10));
        assertTrue(e.getMessage().endsWith("manifest.sig does not match the manifest under checkpoint.signingKey "
                + "(env:KEY): the checkpoint was altered or signed with another key; refusing to read it"),
                e.getMessage());
    }

    @Test
    void aMissingSignatureOrAnotherKeysIsRefused() throws Exception {
        store(Optional.of(ManifestSigner.ofKey(KEY))).write(CheckpointStoreHdfsTest.manifest(10, null),
                CheckpointStoreHdfsTest.model(10));
        CheckpointStore other = store(Optional.of(ManifestSigner.ofKey("another key of enough length")));
        assertTrue(assertThrows(CheckpointException.class, () -> other.load(10)).getMessage()
                .contains("manifest.sig does not match"));
        Files.delete(dir.resolve("ckpt-0000000010/manifest.sig"));
        CheckpointStore signed = store(Optional.of(ManifestSigner.ofKey(KEY)));
        assertTrue(assertThrows(CheckpointException.class, () -> signed.load(10)).getMessage()
                .contains("manifest.sig is missing and checkpoint.signingKey (env:KEY) is set"));
    }

    @Test
    void theKeyComesFromTheEnvironmentOrAFileAndTheConfigNamesOnlyWhere() throws Exception {
        ConfigException unset = assertThrows(ConfigException.class,
                () -> ManifestSigner.of("env:NOPE", Map.<String, String>of()::get));
        assertTrue(unset.getMessage().contains("checkpoint.signingKey") && unset.getMessage().contains("NOPE"),
                unset.getMessage());
        assertTrue(assertThrows(ConfigException.class, () -> ManifestSigner.of("env:K", Map.of("K", "short")::get))
                .getMessage().contains("at least 16 bytes"));
        Path file = Files.writeString(dir.resolve("key"), KEY + "\n");
        ManifestSigner fromFile = ManifestSigner.of("file:" + file, Map.<String, String>of()::get).orElseThrow();
        assertEquals(new String(ManifestSigner.ofKey(KEY).sign(new byte[] {1, 2})),
                new String(fromFile.sign(new byte[] {1, 2})), "the same key from a file (trailing newline stripped)");
        assertEquals(Optional.empty(), ManifestSigner.of(CheckpointConfig.defaults()));

        ConfigException literal = assertThrows(ConfigException.class, () -> new ConfigLoader().parse("t.yaml",
                "data: {train: x.csv}\ncheckpoint: {signingKey: " + KEY + "}\n", java.util.List.of()));
        assertTrue(literal.getMessage().contains("checkpoint.signingKey") && literal.getMessage().contains("env:"),
                literal.getMessage());
        assertFalse(literal.getMessage().contains(KEY), "the literal key is not echoed: " + literal.getMessage());
    }
}

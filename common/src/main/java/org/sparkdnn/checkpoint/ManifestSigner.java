package org.sparkdnn.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.sparkdnn.config.CheckpointConfig;
import org.sparkdnn.config.ConfigException;

/**
 * Signs checkpoints so that a resume from a directory someone altered is refused: {@code manifest.sig} beside {@code
 * manifest.json} is its HMAC-SHA256 under {@code checkpoint.signingKey}, and the manifest records every file's
 * SHA-256, so the signature covers the whole checkpoint. The key comes from the environment or a file the config names
 * ({@code env:NAME}, {@code file:PATH}); the config, and so config.yaml and every manifest, holds only that name.
 * With a key, a checkpoint without a signature or with a wrong one is refused; without one, signatures are not checked.
 */
public final class ManifestSigner {
    static final String FILE = "manifest.sig";
    private static final int MIN_KEY_BYTES = 16;

    private final SecretKeySpec key;
    private final String source;

    ManifestSigner(byte[] key, String source) {
        this.key = new SecretKeySpec(key, "HmacSHA256");
        this.source = source;
    }

    /** The signer of {@code checkpoint.signingKey}, if set; fails naming the setting when its key cannot be read. */
    public static Optional<ManifestSigner> of(CheckpointConfig config) {
        return of(config.signingKey(), System::getenv);
    }

    static Optional<ManifestSigner> of(String source, Function<String, String> environment) {
        if (source == null) {
            return Optional.empty();
        }
        String key;
        if (source.startsWith("env:")) {
            key = environment.apply(source.substring(4));
            if (key == null || key.isBlank()) {
                throw new ConfigException("checkpoint.signingKey", "the environment variable " + source.substring(4)
                        + " is not set (the driver reads the key from it)", source);
            }
        } else {
            try {
                key = Files.readString(Path.of(source.substring(5)), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new ConfigException("checkpoint.signingKey", "cannot read the key file (" + e + ")", source);
            }
        }
        byte[] bytes = key.strip().getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_KEY_BYTES) {
            throw new ConfigException("checkpoint.signingKey", "the key must be at least " + MIN_KEY_BYTES
                    + " bytes (e.g. openssl rand -hex 32), was " + bytes.length, source);
        }
        return Optional.of(new ManifestSigner(bytes, source));
    }

    /** The signature file's content for {@code manifest}. */
    byte[] sign(byte[] manifest) {
        return HexFormat.of().formatHex(mac(manifest)).getBytes(StandardCharsets.US_ASCII);
    }

    /** Fails unless {@code signature} is {@code manifest}'s under this key; {@code dir} names the checkpoint. */
    void verify(String dir, byte[] manifest, Optional<byte[]> signature) {
        if (signature.isEmpty()) {
            throw new CheckpointException(dir + ": " + FILE + " is missing and checkpoint.signingKey (" + source
                    + ") is set: the checkpoint was written without the key, or its signature was removed; refusing "
                    + "to read it");
        }
        byte[] expected = sign(manifest);
        if (!MessageDigest.isEqual(expected, new String(signature.get(), StandardCharsets.US_ASCII).strip()
                .getBytes(StandardCharsets.US_ASCII))) {
            throw new CheckpointException(dir + ": " + FILE + " does not match the manifest under "
                    + "checkpoint.signingKey (" + source + "): the checkpoint was altered or signed with another key; "
                    + "refusing to read it");
        }
    }

    private byte[] mac(byte[] manifest) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(manifest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** For tests: a signer of a literal key. */
    static ManifestSigner ofKey(String key) {
        return of("env:KEY", Map.of("KEY", key)::get).orElseThrow();
    }
}

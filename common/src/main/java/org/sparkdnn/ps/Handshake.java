package org.sparkdnn.ps;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge–response authentication of a parameter-server connection with the run's secret, which never
 * crosses the wire (HMAC-SHA256, as Spark's own RPC authentication and TLS-PSK do; chosen over TLS because both ends
 * already share a per-run secret and no certificates exist). The server sends a fresh 32-byte nonce; the worker's
 * Hello carries its own nonce and a MAC over both nonces and every Hello field, so a recorded Hello cannot be replayed
 * on another connection; the server's Welcome carries a MAC over both nonces and the next step with another label,
 * so a worker only trusts parameters from a server that knows the secret. Comparison is in constant time. Both nonces
 * must be exactly {@link #NONCE_BYTES} long (the frames refuse any other length) and enter the MAC length-prefixed,
 * like every string, so no two different field lists encode to the same MAC input.
 * What follows the handshake carries a MAC per frame ({@code cluster.frameIntegrity: mac}) under session keys both
 * ends derive from the secret and both nonces ({@link SessionKeys}, {@link FrameMac}); it is not encrypted.
 */
public final class Handshake {
    public static final int NONCE_BYTES = 32;
    public static final int MAC_BYTES = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Handshake() {
    }

    /** A fresh random secret for one run: 32 bytes, hex. */
    public static String newSecret() {
        return HexFormat.of().formatHex(nonce());
    }

    public static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    public static byte[] helloMac(String secret, byte[] serverNonce, byte[] clientNonce, String jobId, int worker,
                                  int stageAttempt, int epoch) {
        return helloMac("sparkdnn-ps hello v2", secret, serverNonce, clientNonce, jobId, worker, stageAttempt, epoch);
    }

    /**
     * The Hello of a worker-to-worker connection ({@code exchange: peer}): the same fields under another label, so
     * that a Hello meant for a peer can never authenticate to the parameter server, nor the other way round.
     */
    public static byte[] peerHelloMac(String secret, byte[] serverNonce, byte[] clientNonce, String jobId, int worker,
                                      int stageAttempt, int epoch) {
        return helloMac("sparkdnn-peer hello v2", secret, serverNonce, clientNonce, jobId, worker, stageAttempt, epoch);
    }

    /** The accepting worker's proof to a connecting peer: both nonces and its worker index. */
    public static byte[] peerWelcomeProof(String secret, byte[] serverNonce, byte[] clientNonce, int acceptor) {
        return proof("sparkdnn-peer welcome v2", secret, serverNonce, clientNonce, acceptor);
    }

    private static byte[] helloMac(String label, String secret, byte[] serverNonce, byte[] clientNonce, String jobId,
                                   int worker, int stageAttempt, int epoch) {
        return mac(secret, out -> {
            out.writeUTF(label);
            writeNonces(out, serverNonce, clientNonce);
            out.writeUTF(jobId);
            out.writeInt(worker);
            out.writeInt(stageAttempt);
            out.writeInt(epoch);
        });
    }

    public static byte[] welcomeProof(String secret, byte[] serverNonce, byte[] clientNonce, long nextStep) {
        return proof("sparkdnn-ps welcome v2", secret, serverNonce, clientNonce, nextStep);
    }

    private static byte[] proof(String label, String secret, byte[] serverNonce, byte[] clientNonce, long value) {
        return mac(secret, out -> {
            out.writeUTF(label);
            writeNonces(out, serverNonce, clientNonce);
            out.writeLong(value);
        });
    }

    /** Both nonces, each exactly {@link #NONCE_BYTES} long and length-prefixed. */
    private static void writeNonces(DataOutputStream out, byte[] serverNonce, byte[] clientNonce) throws IOException {
        for (byte[] nonce : new byte[][] {serverNonce, clientNonce}) {
            if (nonce.length != NONCE_BYTES) {
                throw new IllegalArgumentException("a nonce of " + nonce.length + " bytes; the handshake uses exactly "
                        + NONCE_BYTES);
            }
            out.writeByte(nonce.length);
            out.write(nonce);
        }
    }

    /** Constant-time comparison. */
    public static boolean matches(byte[] expected, byte[] actual) {
        return MessageDigest.isEqual(expected, actual);
    }

    private interface Fields {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] mac(String secret, Fields fields) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            fields.write(new DataOutputStream(bytes));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }
}

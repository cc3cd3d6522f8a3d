package org.sparkdnn.ps;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two session keys of one authenticated connection, one per direction, derived HKDF-style (RFC 5869, HMAC-SHA256)
 * from the run's secret and both handshake nonces: extract with the nonces as salt, expand under the protocol's label
 * and the direction. Fresh nonces on every connection make the keys fresh, so a frame recorded on one connection
 * cannot be replayed on another; the labels keep the parameter server's keys and the peer mesh's apart.
 *
 * @param toAcceptor  the key of the frames the connecting side sends (worker → parameter server, higher → lower peer)
 * @param toConnector the key of the frames the accepting side sends
 */
public record SessionKeys(byte[] toAcceptor, byte[] toConnector) {
    /** The parameter server's connections. */
    public static final String PS = "sparkdnn-ps frames v1";
    /** The peer mesh's connections. */
    public static final String PEER = "sparkdnn-peer frames v1";

    public static SessionKeys derive(String label, String secret, byte[] serverNonce, byte[] clientNonce) {
        byte[] salt = new byte[serverNonce.length + clientNonce.length];
        System.arraycopy(serverNonce, 0, salt, 0, serverNonce.length);
        System.arraycopy(clientNonce, 0, salt, serverNonce.length, clientNonce.length);
        byte[] prk = hmac(salt, secret.getBytes(StandardCharsets.UTF_8));
        return new SessionKeys(expand(prk, label + " to acceptor"), expand(prk, label + " to connector"));
    }

    /** The MAC of the frames this side sends to {@code peer}. */
    public FrameMac sending(boolean acceptor, String peer) {
        return new FrameMac(acceptor ? toConnector : toAcceptor, "to " + peer);
    }

    /** The MAC of the frames this side receives from {@code peer}. */
    public FrameMac receiving(boolean acceptor, String peer) {
        return new FrameMac(acceptor ? toAcceptor : toConnector, "from " + peer);
    }

    /** HKDF-Expand of one block: HMAC(prk, info ‖ 0x01). */
    private static byte[] expand(byte[] prk, String info) {
        byte[] bytes = info.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, input, 0, bytes.length);
        input[bytes.length] = 1;
        return hmac(prk, input);
    }

    static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance(FrameMac.ALGORITHM);
            mac.init(new SecretKeySpec(key, FrameMac.ALGORITHM));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    /** For messages: never the keys. */
    @Override
    public String toString() {
        return "SessionKeys(…)";
    }
}

package org.sparkdnn.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Session keys and frame MACs without sockets: what makes a tag, and what makes it fail. */
class FrameMacTest {
    private static final String SECRET = "s3cret";
    private static final byte[] SERVER_NONCE = Handshake.nonce();
    private static final byte[] CLIENT_NONCE = Handshake.nonce();
    private static final byte[] FRAME = "a gradient frame".getBytes(StandardCharsets.UTF_8);

    private static SessionKeys keys(String label) {
        return SessionKeys.derive(label, SECRET, SERVER_NONCE, CLIENT_NONCE);
    }

    private static byte[] tag(FrameMac mac, byte[] frame) {
        mac.begin();
        mac.update(frame, 0, frame.length);
        return mac.finish();
    }

    @Test
    void eachDirectionLabelAndHandshakeHasItsOwnKey() {
        SessionKeys ps = keys(SessionKeys.PS);
        assertFalse(Arrays.equals(ps.toAcceptor(), ps.toConnector()), "one key per direction");
        assertFalse(Arrays.equals(ps.toAcceptor(), keys(SessionKeys.PEER).toAcceptor()), "the mesh's keys differ");
        SessionKeys other = SessionKeys.derive(SessionKeys.PS, SECRET, Handshake.nonce(), CLIENT_NONCE);
        assertFalse(Arrays.equals(ps.toAcceptor(), other.toAcceptor()), "fresh nonces, fresh keys");
        assertArrayEquals(ps.toConnector(), keys(SessionKeys.PS).toConnector(), "both ends derive the same");
    }

    @Test
    void theReceiverAcceptsTheSendersFramesInOrderAndNothingElse() throws Exception {
        SessionKeys keys = keys(SessionKeys.PS);
        FrameMac sender = keys.sending(false, "the parameter server");
        FrameMac receiver = keys.receiving(true, "worker 1");
        byte[] first = tag(sender, FRAME);
        byte[] second = tag(sender, FRAME);
        assertFalse(Arrays.equals(first, second), "the sequence number is in the tag");
        receiver.begin();
        receiver.update(FRAME, 0, FRAME.length);
        assertDoesNotThrow(() -> receiver.verify(first));
        receiver.begin();
        ByteBuffer streamed = ByteBuffer.wrap(FRAME);
        streamed.position(4);
        receiver.update(FRAME, 0, 4);
        receiver.update(streamed.position(FRAME.length), 4); // the bytes a later read moved
        assertDoesNotThrow(() -> receiver.verify(second), "fed in pieces, the same tag");
        receiver.begin();
        receiver.update(FRAME, 0, FRAME.length);
        FrameIntegrityException replayed = assertThrows(FrameIntegrityException.class, () -> receiver.verify(first));
        assertTrue(replayed.getMessage().startsWith("frame 2 from worker 1 failed its integrity check"),
                replayed.getMessage());
    }

    @Test
    void theOtherDirectionsKeyCannotForgeAFrame() {
        SessionKeys keys = keys(SessionKeys.PEER);
        byte[] reflected = tag(keys.sending(true, "worker 0"), FRAME); // the acceptor's own frame sent back
        FrameMac receiver = keys.receiving(true, "worker 1");
        receiver.begin();
        receiver.update(FRAME, 0, FRAME.length);
        assertThrows(FrameIntegrityException.class, () -> receiver.verify(reflected));
    }
}

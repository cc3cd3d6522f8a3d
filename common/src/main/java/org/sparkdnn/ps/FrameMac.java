package org.sparkdnn.ps;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MACs of one direction of one connection ({@code cluster.frameIntegrity: mac}): each frame's tag is
 * HMAC-SHA256 under that direction's session key ({@link SessionKeys}) over the frame's sequence number (an implicit
 * counter, never sent: both ends count) and the frame's bytes, fed in as they stream ({@link #update}), so no second
 * pass reads a frame. A modified, forged, replayed, reordered or dropped frame (the next one then has the wrong
 * number) fails {@link #verify}. HMAC-SHA256 against AES-GCM/GMAC on Java 17: bench/integrity (docs/security.md has
 * the figures: GMAC is slower; AES-GCM encrypting, its tag as the MAC, was faster on a quiet machine). Not
 * thread-safe: one thread at a time.
 */
public final class FrameMac {
    public static final String ALGORITHM = "HmacSHA256";
    public static final int TAG_BYTES = 32;
    private final Mac mac;
    private final String direction;
    private final byte[] counter = new byte[Long.BYTES];
    private long sequence;

    FrameMac(byte[] key, String direction) {
        this.direction = direction;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java 17 runtime", e);
        }
    }

    /** Starts the next frame: its sequence number goes in first. */
    public void begin() {
        for (int i = 0; i < Long.BYTES; i++) {
            counter[i] = (byte) (sequence >>> (56 - 8 * i));
        }
        mac.update(counter);
    }

    public void update(int b) {
        mac.update((byte) b);
    }

    public void update(byte[] bytes, int offset, int length) {
        mac.update(bytes, offset, length);
    }

    /** The bytes of {@code buffer} from {@code from} to its position: what the last read or write moved. */
    public void update(ByteBuffer buffer, int from) {
        if (buffer.position() > from) {
            ByteBuffer moved = buffer.duplicate();
            moved.limit(buffer.position()).position(from);
            mac.update(moved);
        }
    }

    /** Ends the frame: its tag; the next frame has the next sequence number. */
    public byte[] finish() {
        sequence++;
        return mac.doFinal();
    }

    /**
     * Ends the frame and checks the tag that came with it.
     *
     * @throws FrameIntegrityException naming the connection and the frame's sequence number
     */
    public void verify(byte[] tag) throws FrameIntegrityException {
        long number = sequence;
        if (!MessageDigest.isEqual(finish(), tag)) {
            throw new FrameIntegrityException("frame " + number + " " + direction + " failed its integrity check "
                    + "(HMAC-SHA256, cluster.frameIntegrity: mac): it was modified, replayed, reordered, dropped or "
                    + "forged on the network path; the step is not applied");
        }
    }

    /** The number of the next frame. */
    public long sequence() {
        return sequence;
    }
}

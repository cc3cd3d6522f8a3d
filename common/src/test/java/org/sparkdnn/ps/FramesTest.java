package org.sparkdnn.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Frame sizes are bounded before allocation, in long arithmetic; nonces and MACs have exactly their length. */
class FramesTest {

    /** A PARAMS frame up to its tensor header: {@code length} values of type {@code dtype}, without the values. */
    private static DataInputStream paramsHeader(byte dtype, int length) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(4); // PARAMS
        out.writeLong(1);
        out.writeInt(0);
        out.writeInt(0);
        out.writeByte(dtype);
        out.writeInt(length);
        return new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()));
    }

    @Test
    void aTensorOfTwoToThe28DoublesIsRefusedBeforeAllocationInsteadOfOverflowing() throws IOException {
        // 2^28 doubles are 2^31 bytes: (int) length * 8 overflowed to -2^31; the model allows 2^30 values here
        IOException e = assertThrows(IOException.class, () -> Frames.read(paramsHeader((byte) 'd', 1 << 28), 1L << 30));
        assertTrue(e.getMessage().contains("a tensor of 268435456 values of 8 bytes; frames carry at most 2147483647 "
                + "bytes"), e.getMessage());
    }

    @Test
    void tensorSizesAreComputedInLongAndBoundedToOneBuffer() throws IOException {
        assertEquals((1L << 31) - 8, Frames.checkBytes((1 << 28) - 1, Double.BYTES, "tensor"));
        assertEquals((1L << 31) - 4, Frames.checkBytes((1 << 29) - 1, Float.BYTES, "tensor"));
        for (long tooLong : new long[] {1 << 28, Integer.MAX_VALUE, 1L << 40, Long.MAX_VALUE, -1}) {
            IOException e = assertThrows(IOException.class, () -> Frames.checkBytes(tooLong, Double.BYTES, "tensor"));
            assertTrue(e.getMessage().startsWith("a tensor of " + tooLong + " values"), e.getMessage());
        }
    }

    /** A Hello whose client nonce is {@code nonceBytes} long, the MAC 32 bytes. */
    private static byte[] hello(int nonceBytes) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(1); // HELLO
        out.writeUTF("job");
        out.writeInt(0);
        out.writeInt(0);
        out.writeInt(0);
        out.writeByte(nonceBytes);
        out.write(new byte[nonceBytes]);
        out.writeByte(Handshake.MAC_BYTES);
        out.write(new byte[Handshake.MAC_BYTES]);
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 16, 31, 33, 64})
    void aHelloWhoseNonceIsNotExactly32BytesIsRefused(int nonceBytes) {
        IOException e = assertThrows(IOException.class, () -> Frames.readHello(
                new DataInputStream(new ByteArrayInputStream(hello(nonceBytes)))));
        assertEquals("a client nonce of " + nonceBytes + " bytes declared; frames carry exactly 32", e.getMessage());
    }

    @Test
    void aHelloWithA32ByteNonceAndMacIsRead() throws IOException {
        PsMessage.Hello h = Frames.readHello(new DataInputStream(new ByteArrayInputStream(hello(32))));
        assertArrayEquals(new byte[32], h.clientNonce());
    }

    @Test
    void noHelloWithAShortNonceOrMacIsWrittenNorMacked() {
        DataOutputStream sink = new DataOutputStream(new ByteArrayOutputStream());
        IOException e = assertThrows(IOException.class, () -> Frames.write(sink,
                new PsMessage.Hello("job", 0, 0, 0, new byte[16], new byte[32])));
        assertEquals("a client nonce of 16 bytes; frames carry exactly 32", e.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> Handshake.helloMac("s",
                new byte[32], new byte[31], "job", 0, 0, 0));
        assertEquals("a nonce of 31 bytes; the handshake uses exactly 32", m.getMessage());
    }

    @Test
    void aRejectReasonIsBoundedBothWays() throws IOException {
        String tooLong = "x".repeat(Frames.MAX_REASON + 1);
        DataOutputStream sink = new DataOutputStream(new ByteArrayOutputStream());
        IOException w = assertThrows(IOException.class, () -> Frames.write(sink, new PsMessage.Reject(tooLong)));
        assertEquals("a Reject reason of 301 characters; frames allow 300", w.getMessage());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(3); // REJECT
        out.writeUTF(tooLong);
        IOException r = assertThrows(IOException.class, () -> Frames.read(
                new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())), 0));
        assertEquals("a Reject reason of 301 characters; frames allow 300", r.getMessage());
    }
}

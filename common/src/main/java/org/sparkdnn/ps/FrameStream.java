package org.sparkdnn.ps;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The blocking frame path of one connection (the parameter server's and its clients'): {@link Frames} over buffered
 * streams, unsealed for the handshake, then, after {@link #seal} ({@code cluster.frameIntegrity: mac}), every frame
 * either way followed by its {@link FrameMac} tag. The MAC is fed by the stream filters as the bytes pass, so it costs
 * no second pass; a received frame is returned only after its tag checked out. One writer and one reader at a time.
 */
public final class FrameStream {
    private final BufferedInputStream rawIn;
    private final BufferedOutputStream rawOut;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile FrameMac sending;
    private volatile FrameMac receiving;

    public FrameStream(InputStream input, OutputStream output) {
        this.rawIn = new BufferedInputStream(input, 1 << 16);
        this.rawOut = new BufferedOutputStream(output, 1 << 16);
        this.in = new DataInputStream(new MacInput(rawIn));
        this.out = new DataOutputStream(new MacOutput(rawOut));
    }

    /**
     * From the next frame on, both directions carry tags under {@code keys}.
     *
     * @param acceptor true on the side that accepted the connection
     * @param peer     who is at the other end, for messages
     */
    public void seal(SessionKeys keys, boolean acceptor, String peer) {
        sending = keys.sending(acceptor, peer);
        receiving = keys.receiving(acceptor, peer);
    }

    public void write(PsMessage message) throws IOException {
        FrameMac mac = sending;
        if (mac != null) {
            mac.begin();
        }
        Frames.write(out, message);
        if (mac != null) {
            rawOut.write(mac.finish());
        }
        rawOut.flush();
    }

    /** @param maxTensorLength the largest tensor the peer may legitimately send */
    public PsMessage read(long maxTensorLength) throws IOException {
        FrameMac mac = receiving;
        if (mac != null) {
            mac.begin();
        }
        PsMessage message = Frames.read(in, maxTensorLength);
        if (mac != null) {
            byte[] tag = rawIn.readNBytes(FrameMac.TAG_BYTES);
            if (tag.length != FrameMac.TAG_BYTES) {
                throw new EOFException("the connection ended inside frame " + mac.sequence() + "'s tag");
            }
            mac.verify(tag);
        }
        return message;
    }

    /** The first frame, on the accepting side: a Hello and nothing else. */
    public PsMessage.Hello readHello() throws IOException {
        return Frames.readHello(in);
    }

    /** Feeds the receiving MAC with every byte read. */
    private final class MacInput extends FilterInputStream {
        MacInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            FrameMac mac = receiving;
            if (b >= 0 && mac != null) {
                mac.update(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            FrameMac mac = receiving;
            if (n > 0 && mac != null) {
                mac.update(b, off, n);
            }
            return n;
        }
    }

    /** Feeds the sending MAC with every byte written; flushing waits for the tag ({@link #write}). */
    private final class MacOutput extends FilterOutputStream {
        MacOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            FrameMac mac = sending;
            if (mac != null) {
                mac.update(b);
            }
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            FrameMac mac = sending;
            if (mac != null) {
                mac.update(b, off, len);
            }
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            // the frame's writer flushes once, after the tag
        }
    }
}

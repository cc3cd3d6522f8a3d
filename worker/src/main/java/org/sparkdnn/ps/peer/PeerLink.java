package org.sparkdnn.ps.peer;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import org.sparkdnn.ps.FrameMac;
import org.sparkdnn.ps.SessionKeys;

/**
 * One authenticated connection of the mesh, non-blocking, and the frame in flight each way: a header (step,
 * bucket · k + piece, value count), the values, and with {@code cluster.frameIntegrity: mac} a {@link FrameMac} tag
 * over both, fed with the bytes each write and read moved (no second pass over a bucket; what arrives is hashed on the
 * mesh's {@link MacLane}, what leaves on the loop's thread). A received frame's header must equal what the receiver
 * expects before its values are read; its tag must check out before the exchange returns ({@link #awaitVerified}), so
 * nothing of a modified, replayed, reordered, dropped or forged frame is used.
 */
final class PeerLink implements Closeable {
    private static final int HEADER_BYTES = 16;
    private static final int HEADER = 0;
    private static final int BODY = 1;
    private static final int TAG = 2;
    private static final int DONE = 3;

    private final int peer;
    private final SocketChannel channel;
    private final FrameMac sending;
    private final FrameMac receiving;
    private final ByteBuffer outHeader = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer inHeader = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer outTag = ByteBuffer.allocate(FrameMac.TAG_BYTES);
    private final ByteBuffer inTag = ByteBuffer.allocate(FrameMac.TAG_BYTES);
    private ByteBuffer out = ByteBuffer.allocate(0);
    private ByteBuffer in = ByteBuffer.allocate(0);
    private boolean tagged;
    private int phase = DONE;
    private long step;
    private int expected;
    private long count;
    private long bytes;
    private MacLane lane;
    private CompletableFuture<Void> verified;

    /**
     * @param keys     the connection's session keys, or null for no MACs ({@code cluster.frameIntegrity: off})
     * @param acceptor true on the worker that accepted the connection (the lower index)
     */
    PeerLink(int peer, SocketChannel channel, SessionKeys keys, boolean acceptor) {
        this.peer = peer;
        this.channel = channel;
        this.sending = keys == null ? null : keys.sending(acceptor, "worker " + peer);
        this.receiving = keys == null ? null : keys.receiving(acceptor, "worker " + peer);
    }

    int peer() {
        return peer;
    }

    SocketChannel channel() {
        return channel;
    }

    /** Bytes written and read so far. */
    long bytes() {
        return bytes;
    }

    /** The next frame to write: frame {@code id} of {@code step}, {@code values} values in {@code body}. */
    void send(long step, int id, long values, ByteBuffer body) {
        outHeader.clear();
        outHeader.putLong(step).putInt(id).putInt((int) values).flip();
        out = body;
        outTag.clear().limit(0);
        tagged = sending == null;
        if (sending != null) {
            sending.begin();
        }
    }

    /**
     * The next frame to read: frame {@code id} of {@code step}, {@code values} values, into {@code into}; its MAC fed
     * on {@code macs}.
     */
    void expect(long step, int id, long values, ByteBuffer into, MacLane macs) {
        this.step = step;
        this.expected = id;
        this.count = values;
        inHeader.clear();
        inTag.clear();
        in = into;
        phase = HEADER;
        lane = macs;
        verified = null;
        if (receiving != null) {
            lane.begin(receiving);
        }
    }

    /** Writes what the channel takes now; true once the whole frame, tag included, is written. */
    boolean write() throws IOException {
        if (outHeader.hasRemaining() || out.hasRemaining()) {
            int header = outHeader.position();
            int body = out.position();
            bytes += channel.write(new ByteBuffer[] {outHeader, out});
            if (sending != null) {
                sending.update(outHeader, header);
                sending.update(out, body);
            }
            if (outHeader.hasRemaining() || out.hasRemaining()) {
                return false;
            }
        }
        if (!tagged) {
            outTag.clear();
            outTag.put(sending.finish()).flip();
            tagged = true;
        }
        if (outTag.hasRemaining()) {
            bytes += channel.write(outTag);
        }
        return !outTag.hasRemaining();
    }

    /** Reads what the channel has now; true once the whole frame, with its tag, is read. */
    boolean read() throws IOException {
        ByteBuffer into = phase == HEADER ? inHeader : phase == BODY ? in : inTag;
        int from = into.position();
        int read = channel.read(into);
        if (read < 0) {
            throw new EOFException("worker " + peer + " closed the connection");
        }
        bytes += read;
        if (receiving != null && phase != TAG) {
            lane.update(receiving, into, from);
        }
        if (phase == HEADER && !inHeader.hasRemaining()) {
            checkHeader();
            phase = BODY;
        }
        if (phase == BODY && !in.hasRemaining()) {
            phase = receiving == null ? DONE : TAG;
        }
        if (phase == TAG && !inTag.hasRemaining()) {
            verified = lane.verify(receiving, inTag.array());
            phase = DONE;
        }
        return phase == DONE;
    }

    /** Waits until the frame read last has its tag checked, until {@code deadline}; a failed tag is thrown. */
    void awaitVerified(long deadline) throws IOException {
        if (verified != null) {
            CompletableFuture<Void> pending = verified;
            verified = null;
            MacLane.await(pending, deadline);
        }
    }

    private void checkHeader() throws IOException {
        inHeader.flip();
        long gotStep = inHeader.getLong();
        int gotId = inHeader.getInt();
        int gotLength = inHeader.getInt();
        if (gotStep != step || gotId != expected || gotLength != count) {
            throw new IOException("worker " + peer + " sent step " + gotStep + ", frame " + gotId + ", " + gotLength
                    + " values; expected step " + step + ", frame " + expected + ", " + count + " values");
        }
    }

    @Override
    public void close() {
        MeshIo.closeQuietly(channel);
    }
}

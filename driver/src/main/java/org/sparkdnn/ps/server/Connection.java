package org.sparkdnn.ps.server;

import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.ps.FrameStream;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.SessionKeys;
import org.sparkdnn.ps.Watchdog;

/**
 * One accepted socket. Writes are serialised on the connection's monitor and each has a deadline (a watchdog closes
 * the socket when a write overruns it: a peer that never reads cannot block a writer for longer); reads happen on
 * the connection's own reader thread. Closing never waits for a write. After the Welcome, with
 * {@code cluster.frameIntegrity: mac}, every frame either way carries its MAC ({@link FrameStream}).
 */
final class Connection implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    private final Socket socket;
    private final FrameStream frames;
    private final long maxTensorLength;
    private final Deadlines deadlines;
    private volatile int worker = -1;
    private volatile int attempt = -1;
    private SessionKeys keys;

    /**
     * @param bytes           counts every byte read and written, for the engine's bytes-per-step figure
     * @param maxTensorLength the model's parameter count: the largest tensor a worker may send
     */
    Connection(Socket socket, LongAdder bytes, long maxTensorLength, Deadlines deadlines) throws IOException {
        this.socket = socket;
        this.maxTensorLength = maxTensorLength;
        this.deadlines = deadlines;
        socket.setTcpNoDelay(true);
        this.frames = new FrameStream(new CountingInput(socket.getInputStream(), bytes),
                new CountingOutput(socket.getOutputStream(), bytes));
    }

    private static final class CountingInput extends FilterInputStream {
        private final LongAdder bytes;

        CountingInput(InputStream in, LongAdder bytes) {
            super(in);
            this.bytes = bytes;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                bytes.increment();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                bytes.add(n);
            }
            return n;
        }
    }

    private static final class CountingOutput extends FilterOutputStream {
        private final LongAdder bytes;

        CountingOutput(OutputStream out, LongAdder bytes) {
            super(out);
            this.bytes = bytes;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            bytes.increment();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            bytes.add(len);
        }
    }

    PsMessage read() throws IOException {
        return frames.read(maxTensorLength);
    }

    /**
     * The first frame: a Hello and nothing else (nothing else is parsed). Each read times out at the handshake
     * deadline; the whole handshake's deadline is the intake's, which closes the socket.
     */
    PsMessage.Hello readHello() throws IOException {
        socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, deadlines.handshakeNanos() / 1_000_000)));
        PsMessage.Hello hello = frames.readHello();
        socket.setSoTimeout(0); // from here the step deadline is kept by the server's step loop and watchdog
        return hello;
    }

    /**
     * Writes {@code message} within the write deadline, else closes the connection (the write then fails). After a
     * Welcome, the frames either way are sealed with the keys of {@link #sealAfterWelcome}, if any.
     */
    synchronized void send(PsMessage message) throws IOException {
        try (Watchdog.Alarm alarm = deadlines.watchdog().after(deadlines.writeNanos(), this::close)) {
            frames.write(message);
        }
        if (message instanceof PsMessage.Welcome && keys != null) {
            frames.seal(keys, true, "worker " + worker + " at " + peer());
        }
    }

    /** The session keys of this authenticated connection ({@code cluster.frameIntegrity: mac}). */
    synchronized void sealAfterWelcome(SessionKeys sessionKeys) {
        this.keys = sessionKeys;
    }

    /**
     * Sends the replies of what {@code decide} returns, holding this connection's write lock from before the decision
     * to the last write, so that nothing else reaches the connection in between (a step's parameters before its
     * Welcome). {@code decide} may take the server's lock: the server never writes while it holds its own.
     */
    synchronized Admission answer(Supplier<Admission> decide) throws IOException {
        Admission admission = decide.get();
        for (PsMessage reply : admission.replies()) {
            send(reply);
        }
        return admission;
    }

    void registeredAs(int workerIndex, int stageAttempt) {
        this.worker = workerIndex;
        this.attempt = stageAttempt;
    }

    int worker() {
        return worker;
    }

    int attempt() {
        return attempt;
    }

    String peer() {
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing {} failed: {}", this, e.toString());
        }
    }

    @Override
    public String toString() {
        return "worker " + worker + " (stage attempt " + attempt + ", " + peer() + ")";
    }
}

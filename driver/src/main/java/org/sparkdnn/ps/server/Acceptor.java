package org.sparkdnn.ps.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.FrameIntegrityException;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.Intake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.SessionKeys;

/**
 * The parameter server's intake: its listening socket and one reader thread per connection that runs the handshake
 * (the server's challenge, the worker's Hello, its MAC checked) before anything is allocated for the connection, then
 * hands the authenticated connection's messages to the server. At most {@code 2k + 16} connections authenticate at
 * once and each must finish its whole handshake within the handshake deadline ({@link Intake}: a new connection
 * beyond the cap closes the oldest unauthenticated one, so connections trickling bytes can neither outlive the
 * deadline nor lock the real workers out).
 */
final class Acceptor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);
    /** The only answer to a Hello that fails authentication: fixed and short, it echoes nothing the client sent. */
    static final PsMessage.Reject AUTHENTICATION_FAILED = new PsMessage.Reject("authentication failed");

    private final ParameterServer server;
    private final long parameters;
    private final Deadlines deadlines;
    private final String secret;
    private final FrameIntegrity integrity;
    private final ServerSocket listener;
    private final Intake intake;
    private final List<Connection> open = new ArrayList<>();
    private final LongAdder bytes = new LongAdder();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param parameters no frame may declare more values than this
     * @param bind       the address and port to listen on (port 0: any free one)
     * @param secret     the run's secret, from which each connection's session keys derive
     */
    Acceptor(ParameterServer server, String jobId, int workers, long parameters, InetSocketAddress bind,
             Deadlines deadlines, String secret, FrameIntegrity integrity) throws IOException {
        this.server = server;
        this.parameters = parameters;
        this.deadlines = deadlines;
        this.secret = secret;
        this.integrity = integrity;
        this.intake = new Intake("parameter server for job " + jobId, 2 * workers + 16, deadlines.handshakeNanos(),
                deadlines.watchdog());
        this.listener = listen(bind);
        this.thread = new Thread(this::acceptLoop, "ps-accept-" + jobId);
        thread.setDaemon(true);
    }

    private static ServerSocket listen(InetSocketAddress bind) throws IOException {
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true); // a fixed port (cluster.psPort) is free again right after the last run
            socket.bind(bind, 64);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw new IOException("the parameter server cannot listen on " + bind + ": " + e.getMessage()
                    + (bind.getPort() != 0 ? " (cluster.psPort: choose a free port, or 0 for any)" : ""), e);
        }
    }

    /** Starts accepting: called once the server that takes the connections is complete. */
    void start() {
        thread.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Bytes received and sent over all connections so far. */
    long bytesMoved() {
        return bytes.sum();
    }

    /** Accepts connections, backing off after a failed accept (e.g. no descriptors left) instead of spinning. */
    private void acceptLoop() {
        long backoffMillis = 0;
        while (!closed) {
            try {
                Socket socket = listener.accept();
                backoffMillis = 0;
                Connection c = new Connection(socket, bytes, parameters, deadlines);
                synchronized (this) {
                    open.add(c);
                }
                intake.admit(c);
                Thread reader = new Thread(() -> readLoop(c), "ps-read-" + socket.getRemoteSocketAddress());
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn("parameter server accept failed: {}", e.toString());
                    backoffMillis = Math.min(1000, Math.max(10, backoffMillis * 2));
                    try {
                        Thread.sleep(backoffMillis);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
    }

    private void readLoop(Connection c) {
        try {
            if (!handshake(c)) {
                return;
            }
            while (!closed) {
                server.deliver(c, c.read());
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (c.worker() < 0) {
                intake.refused(c.peer(), e.toString());
            } else {
                if (e instanceof FrameIntegrityException) {
                    LOG.warn("{}: {}; closing it, as a lost worker", c, e.getMessage());
                }
                server.lost(c, e);
            }
        } finally {
            intake.finished(c);
            c.close();
            synchronized (this) {
                open.remove(c);
            }
        }
    }

    /**
     * The challenge, the Hello and its MAC, then the server's admission, answered outside the server's lock: true
     * when the connection took its worker's slot.
     */
    private boolean handshake(Connection c) throws IOException {
        byte[] nonce = Handshake.nonce();
        c.send(new PsMessage.Challenge(nonce));
        PsMessage.Hello h = c.readHello();
        if (!server.authentic(h, nonce)) {
            intake.refused(c.peer(), "authentication failed for worker " + h.worker() + ", stage attempt "
                    + h.stageAttempt() + ", epoch " + (h.epoch() + 1));
            c.send(AUTHENTICATION_FAILED);
            return false;
        }
        if (!intake.finished(c)) {
            return false; // closed meanwhile: evicted for a newer connection, or past the handshake deadline
        }
        if (integrity == FrameIntegrity.MAC) {
            c.sealAfterWelcome(SessionKeys.derive(SessionKeys.PS, secret, nonce, h.clientNonce()));
        }
        return c.answer(() -> server.register(c, h, nonce)).registered();
    }

    @Override
    public void close() {
        closed = true;
        intake.close();
        List<Connection> all;
        synchronized (this) {
            all = new ArrayList<>(open);
        }
        all.forEach(Connection::close);
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("closing the server socket: {}", e.toString());
        }
    }
}

package org.sparkdnn.ps.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;

/**
 * The parameter server's intake: its listening socket, at most {@code 2k + 16} connections open at once, and one
 * reader thread per connection that runs the handshake (the server's challenge, the worker's Hello, checked by
 * {@link ParameterServer#register}) within the handshake deadline before anything is allocated for the connection,
 * then hands the authenticated connection's messages to the server.
 */
final class Acceptor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Acceptor.class);

    private final ParameterServer server;
    private final int workers;
    private final long parameters;
    private final int handshakeMillis;
    private final int maxConnections;
    private final ServerSocket listener;
    private final List<Connection> open = new ArrayList<>();
    private final LongAdder bytes = new LongAdder();
    private final AtomicLong rejectedBeforeAuthentication = new AtomicLong();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param parameters       no frame may declare more values than this
     * @param handshakeMillis  a connection must authenticate within it
     */
    Acceptor(ParameterServer server, String jobId, int workers, long parameters, InetAddress bindAddress,
             int handshakeMillis) throws IOException {
        this.server = server;
        this.workers = workers;
        this.parameters = parameters;
        this.handshakeMillis = handshakeMillis;
        this.maxConnections = 2 * workers + 16;
        this.listener = new ServerSocket(0, 64, bindAddress);
        this.thread = new Thread(this::acceptLoop, "ps-accept-" + jobId);
        thread.setDaemon(true);
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

    /**
     * Accepts connections, at most {@code 2k + 16} open at once (more are closed at once: a flood cannot exhaust
     * threads or descriptors), backing off after a failed accept (e.g. no descriptors left) instead of spinning.
     */
    private void acceptLoop() {
        long backoffMillis = 0;
        long refused = 0;
        while (!closed) {
            try {
                Socket socket = listener.accept();
                backoffMillis = 0;
                Connection c = new Connection(socket, bytes, parameters);
                synchronized (this) {
                    if (open.size() >= maxConnections) {
                        c.close();
                        if (refused++ % 100 == 0) {
                            LOG.warn("refused a connection from {}: {} connections open, the limit for {} workers "
                                    + "({} refused so far)", c.peer(), open.size(), workers, refused);
                        }
                        continue;
                    }
                    open.add(c);
                }
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
            byte[] nonce = Handshake.nonce();
            c.send(new PsMessage.Challenge(nonce));
            if (!server.register(c, c.readHello(handshakeMillis), nonce)) {
                return;
            }
            while (!closed) {
                server.deliver(c, c.read());
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            if (c.worker() < 0) {
                unauthenticated(c, e.toString());
            } else {
                server.lost(c, e);
            }
        } finally {
            c.close();
            synchronized (this) {
                open.remove(c);
            }
        }
    }

    /**
     * Logs a connection dropped before it authenticated: the first 20, then every 1000th with the count, so that a
     * flood of bad connections cannot flood the log as well.
     */
    void unauthenticated(Connection c, String reason) {
        long n = rejectedBeforeAuthentication.incrementAndGet();
        if (n <= 20 || n % 1000 == 0) {
            LOG.warn("closed the connection from {} before it authenticated ({} so far): {}", c.peer(), n, reason);
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            open.forEach(Connection::close);
        }
        try {
            listener.close();
        } catch (IOException e) {
            LOG.debug("closing the server socket: {}", e.toString());
        }
    }
}

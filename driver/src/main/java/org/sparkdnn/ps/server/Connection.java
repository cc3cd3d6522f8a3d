package org.sparkdnn.ps.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.PsMessage;

/** One accepted socket. Writes are serialised; reads happen on the connection's own reader thread. */
final class Connection implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Connection.class);
    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;
    private volatile int worker = -1;
    private volatile int attempt = -1;

    Connection(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 1 << 16));
    }

    PsMessage read() throws IOException {
        return Frames.read(in);
    }

    synchronized void send(PsMessage message) throws IOException {
        Frames.write(out, message);
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

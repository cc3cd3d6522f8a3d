package org.sparkdnn.ps.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.sparkdnn.ps.FrameMac;
import org.sparkdnn.ps.Frames;

/**
 * A recording relay between a worker and the parameter server, as an attacker on the network path: it cuts each
 * direction into frames (the handshake's, then sealed ones with their tags), records them and tampers with one
 * frame of one direction — a flipped bit, an earlier frame replayed in its place, or the frame dropped. One
 * connection; always closed by its test.
 */
final class TamperingRelay implements AutoCloseable {
    enum Tamper { NONE, FLIP, REPLAY, DROP }

    /** Unsealed frames at the start of each direction: the Hello; the Challenge and the Welcome. */
    private static final int HANDSHAKE_TO_SERVER = 1;
    private static final int HANDSHAKE_TO_WORKER = 2;

    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final List<Socket> sockets = new ArrayList<>();
    private final int target;
    private final boolean sealed;
    private final boolean toServer;
    private final int frame;
    private final Tamper tamper;
    private final List<byte[]> recorded = new ArrayList<>();

    /**
     * Tampers with frame {@code frame} (0 = the first) of the direction to the server, or to the worker.
     *
     * @param sealed whether the frames after the handshake carry tags (cluster.frameIntegrity: mac)
     */
    TamperingRelay(int targetPort, boolean sealed, boolean toServer, int frame, Tamper tamper) throws IOException {
        this.target = targetPort;
        this.sealed = sealed;
        this.toServer = toServer;
        this.frame = frame;
        this.tamper = tamper;
        Thread accept = new Thread(this::relay, "tampering-relay");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    private void relay() {
        try {
            Socket worker = listener.accept();
            Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
            synchronized (sockets) {
                sockets.add(worker);
                sockets.add(server);
            }
            Thread back = new Thread(() -> pump(server, worker, !toServer, HANDSHAKE_TO_WORKER), "relay-to-worker");
            back.setDaemon(true);
            back.start();
            pump(worker, server, toServer, HANDSHAKE_TO_SERVER);
        } catch (IOException closed) {
            // the test is over
        }
    }

    private void pump(Socket from, Socket to, boolean tampered, int handshake) {
        try {
            Recorder recorder = new Recorder(from.getInputStream());
            DataInputStream in = new DataInputStream(recorder);
            OutputStream out = to.getOutputStream();
            for (int i = 0; ; i++) {
                Frames.read(in, Integer.MAX_VALUE / 8);
                if (sealed && i >= handshake) {
                    in.readFully(new byte[FrameMac.TAG_BYTES]);
                }
                byte[] bytes = recorder.take();
                if (tampered) {
                    synchronized (recorded) {
                        recorded.add(bytes);
                    }
                }
                if (!tampered || i != frame || tamper == Tamper.NONE) {
                    out.write(bytes);
                } else if (tamper == Tamper.FLIP) {
                    bytes[bytes.length - (sealed ? FrameMac.TAG_BYTES : 0) - 2] ^= 0x10; // a bit of the last value
                    out.write(bytes);
                } else if (tamper == Tamper.REPLAY) {
                    synchronized (recorded) {
                        out.write(recorded.get(recorded.size() - 2)); // the frame before, again
                    }
                }
                out.flush();
            }
        } catch (EOFException | RuntimeException ended) {
            close();
        } catch (IOException closed) {
            close();
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
            synchronized (sockets) {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        } catch (IOException e) {
            // closing
        }
    }

    /** Keeps every byte read until {@link #take}. */
    private static final class Recorder extends FilterInputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Recorder(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                bytes.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                bytes.write(b, off, n);
            }
            return n;
        }

        byte[] take() {
            byte[] taken = bytes.toByteArray();
            bytes.reset();
            return taken;
        }
    }
}

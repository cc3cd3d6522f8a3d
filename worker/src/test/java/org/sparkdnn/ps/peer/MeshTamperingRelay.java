package org.sparkdnn.ps.peer;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.sparkdnn.ps.FrameMac;
import org.sparkdnn.ps.Frames;

/**
 * A recording relay on the connection from a higher worker to a lower one, as an attacker on the path: it passes the
 * handshake, cuts the mesh's frames (16-byte header, values, tag), records those to the lower worker and tampers with
 * one of them: a flipped bit, an earlier frame's values and tag replayed under this frame's header (so the header
 * check passes and only the MAC can tell), or the frame dropped. Always closed by its test.
 */
final class MeshTamperingRelay implements AutoCloseable {
    enum Tamper { FLIP, REPLAY, DROP }

    private static final int HEADER = 16;
    private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    private final List<Socket> sockets = new ArrayList<>();
    private final int target;
    private final int width;
    private final int frame;
    private final Tamper tamper;
    private final List<byte[]> recorded = new ArrayList<>();

    /** Tampers with mesh frame {@code frame} (0 = the first after the handshake) to the worker at {@code target}. */
    MeshTamperingRelay(int targetPort, int width, int frame, Tamper tamper) throws IOException {
        this.target = targetPort;
        this.width = width;
        this.frame = frame;
        this.tamper = tamper;
        Thread accept = new Thread(this::relay, "mesh-tampering-relay");
        accept.setDaemon(true);
        accept.start();
    }

    String address() {
        return "127.0.0.1:" + listener.getLocalPort();
    }

    private void relay() {
        try {
            Socket higher = listener.accept();
            Socket lower = new Socket(InetAddress.getLoopbackAddress(), target);
            synchronized (sockets) {
                sockets.add(higher);
                sockets.add(lower);
            }
            Thread back = new Thread(() -> pump(lower, higher, 2, false), "mesh-relay-back");
            back.setDaemon(true);
            back.start();
            pump(higher, lower, 1, true);
        } catch (IOException closed) {
            // the test is over
        }
    }

    private void pump(Socket from, Socket to, int handshake, boolean tampered) {
        try {
            DataInputStream in = new DataInputStream(from.getInputStream());
            OutputStream out = to.getOutputStream();
            for (int i = 0; i < handshake; i++) {
                ByteArrayOutputStream copy = new ByteArrayOutputStream();
                Frames.write(new java.io.DataOutputStream(copy), Frames.read(in, 0));
                out.write(copy.toByteArray());
            }
            for (int i = 0; ; i++) {
                byte[] header = in.readNBytes(HEADER);
                if (header.length < HEADER) {
                    break;
                }
                byte[] bytes = new byte[HEADER + ByteBuffer.wrap(header).getInt(12) * width + FrameMac.TAG_BYTES];
                System.arraycopy(header, 0, bytes, 0, HEADER);
                in.readFully(bytes, HEADER, bytes.length - HEADER);
                recorded.add(bytes.clone());
                if (!tampered || i != frame) {
                    out.write(bytes);
                } else if (tamper == Tamper.FLIP) {
                    bytes[HEADER + 1] ^= 0x10;
                    out.write(bytes);
                } else if (tamper == Tamper.REPLAY) {
                    byte[] old = recorded.get(i - 2).clone(); // the same exchange of the step before
                    System.arraycopy(header, 0, old, 0, HEADER);
                    out.write(old);
                }
                out.flush();
            }
        } catch (IOException | RuntimeException ended) {
            // one side closed
        }
        close();
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
}

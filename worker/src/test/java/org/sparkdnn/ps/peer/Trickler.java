package org.sparkdnn.ps.peer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code count} connections that each send one byte of a Hello every {@code periodMillis} (a whole Hello would take
 * 20 s), each reopened when the server has closed it: the pressure stays at {@code count} however fast the server
 * sheds them. Records how long the longest-lived connection was open.
 */
final class Trickler implements AutoCloseable {
    private final int port;
    private final long periodMillis;
    private final byte[] hello;
    private final Socket[] sockets;
    private final long[] openedAt;
    private final int[] sent;
    private final AtomicLong longestMillis = new AtomicLong();
    private final AtomicLong reopened = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;

    /** Opens all {@code count} connections before it returns, then trickles on a thread of its own. */
    Trickler(int port, int count, long periodMillis) {
        this.port = port;
        this.periodMillis = periodMillis;
        this.hello = helloBytes();
        this.sockets = new Socket[count];
        this.openedAt = new long[count];
        this.sent = new int[count];
        for (int i = 0; i < count; i++) {
            open(i);
        }
        this.thread = new Thread(this::trickle, "trickler");
        thread.setDaemon(true);
        thread.start();
    }

    private static byte[] helloBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(1); // HELLO
            out.writeUTF("a-job-id-that-takes-a-while-to-send");
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(0);
            out.writeByte(32);
            out.write(new byte[32]);
            out.writeByte(32);
            out.write(new byte[32]);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void open(int i) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            sockets[i] = s;
            openedAt[i] = System.nanoTime();
            sent[i] = 0;
        } catch (IOException busy) {
            sockets[i] = null; // the backlog is full: try again next round
        }
    }

    private void trickle() {
        while (!stop) {
            long start = System.nanoTime();
            for (int i = 0; i < sockets.length && !stop; i++) {
                if (sockets[i] == null) {
                    open(i);
                    reopened.incrementAndGet();
                    continue;
                }
                try {
                    sockets[i].getOutputStream().write(hello[sent[i]++ % hello.length]);
                } catch (IOException closedByServer) {
                    longestMillis.accumulateAndGet((System.nanoTime() - openedAt[i]) / 1_000_000, Math::max);
                    closeQuietly(sockets[i]);
                    sockets[i] = null;
                }
            }
            long left = periodMillis - (System.nanoTime() - start) / 1_000_000;
            if (left > 0) {
                try {
                    Thread.sleep(left);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /**
     * The longest time one connection stayed open, those still open included, as this side sees it: from its connect
     * to the first failed write after the server closed it (so it includes the time in the server's accept backlog
     * and up to two rounds of lag).
     */
    long longestMillis() {
        long now = System.nanoTime();
        long longest = longestMillis.get();
        for (int i = 0; i < sockets.length; i++) {
            if (sockets[i] != null) {
                longest = Math.max(longest, (now - openedAt[i]) / 1_000_000);
            }
        }
        return longest;
    }

    /** Connections opened again after the server closed them. */
    long reopened() {
        return reopened.get();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing a socket the server reset
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(10_000);
        for (Socket s : sockets) {
            if (s != null) {
                closeQuietly(s);
            }
        }
    }
}

package org.sparkdnn.ps.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.ps.FrameMac;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;

/**
 * The worker-to-worker mesh over loopback, without Spark: the all-reduce is bitwise the driver's sum in worker order
 * on every worker (uneven slices, float and double), and the listening socket refuses what is not a peer of this
 * run — a wrong secret, a parameter-server Hello replayed here, another epoch, a lower worker index, garbage — while
 * the real workers still connect; an exchange whose peer goes silent fails at the deadline.
 */
class PeerMeshTest {
    private static final String JOB = "run-peer";
    private static final String SECRET = Handshake.newSecret();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** k meshes, connected concurrently as the barrier tasks do. */
    private List<PeerMesh> mesh(int k, int timeoutMillis, ServerSocketChannel[] servers) throws Exception {
        String[] addresses = new String[k];
        for (int w = 0; w < k; w++) {
            if (servers[w] == null) {
                servers[w] = PeerMesh.listen(InetAddress.getLoopbackAddress(), k);
            }
            addresses[w] = "127.0.0.1:" + servers[w].socket().getLocalPort();
        }
        List<Future<PeerMesh>> futures = new ArrayList<>();
        for (int w = 0; w < k; w++) {
            PeerMesh.Identity me = new PeerMesh.Identity(JOB, SECRET, w, k, 0, 3);
            ServerSocketChannel server = servers[w];
            futures.add(pool.submit(() -> PeerMesh.connect(server, addresses, me, timeoutMillis)));
        }
        List<PeerMesh> meshes = new ArrayList<>();
        for (Future<PeerMesh> f : futures) {
            meshes.add(f.get());
        }
        return meshes;
    }

    @Test
    void theAllReduceIsBitwiseTheSumInWorkerOrderOnEveryWorker() throws Exception {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            for (int k = 2; k <= 4; k++) {
                int n = 1003; // slices of 1003/k: uneven for k = 2, 3, 4
                List<PeerMesh> meshes = mesh(k, 10_000, new ServerSocketChannel[k]);
                INDArray[] own = new INDArray[k];
                INDArray[] target = new INDArray[k];
                for (int w = 0; w < k; w++) {
                    own[w] = Nd4j.rand(type, n).muli(Math.pow(10, w)).subi(0.5); // magnitudes apart: order matters
                    target[w] = Nd4j.createUninitialized(type, 1, n);
                }
                INDArray expected = own[0].dup();
                for (int w = 1; w < k; w++) {
                    expected.addi(own[w]);
                }
                List<Future<?>> runs = new ArrayList<>();
                for (int w = 0; w < k; w++) {
                    int worker = w;
                    runs.add(pool.submit(() -> {
                        meshes.get(worker).allReduce(42, own[worker], target[worker]);
                        return null;
                    }));
                }
                for (Future<?> f : runs) {
                    f.get();
                }
                for (int w = 0; w < k; w++) {
                    assertArrayEquals(expected.data().asBytes(), target[w].data().asBytes(),
                            type + ", k=" + k + ": worker " + w + "'s sum differs from the sum in worker order");
                    long mine = Buckets.sliceLength(n, k, w);
                    // 4 frames per other worker (16-byte headers, 32-byte MAC tags); the others' slices out and
                    // in, mine in and out
                    assertEquals(4L * (16 + FrameMac.TAG_BYTES) * (k - 1) + 2L * (n - mine) * type.width() + 2L * (k - 1) * mine * type.width(),
                            meshes.get(w).bytesMoved(), "bytes of worker " + w);
                    meshes.get(w).close();
                }
            }
        }
    }

    /**
     * Buckets ({@code cluster.peer.bucketMB}): 1003 values, a first bucket of 40, then buckets of 97 (11 buckets, the last
     * of 0..33 values per piece), k = 3, the gradient summed in place (own == target, as the overlapped exchange does). The
     * reduce-scatter asks for the buckets last first and leaves each worker's pieces summed in worker order; the
     * all-gather reports them first first, and every worker ends with the whole sum.
     */
    @Test
    void bucketsAreScatteredLastFirstAndGatheredFirstFirstToTheSumInWorkerOrder() throws Exception {
        int k = 3;
        int n = 1003;
        Buckets layout = new Buckets(n, k, 97, 40);
        assertEquals(11, layout.count());
        assertEquals(40, layout.end(0));
        assertEquals(1003, layout.end(10));
        List<PeerMesh> meshes = mesh(k, 10_000, new ServerSocketChannel[k]);
        INDArray[] g = new INDArray[k];
        for (int w = 0; w < k; w++) {
            g[w] = Nd4j.rand(DataType.FLOAT, n).muli(Math.pow(10, w)).subi(0.5);
        }
        INDArray expected = g[0].dup();
        for (int w = 1; w < k; w++) {
            expected.addi(g[w]);
        }
        List<List<Long>> asked = new ArrayList<>();
        List<List<Long>> gathered = new ArrayList<>();
        List<Future<?>> runs = new ArrayList<>();
        for (int w = 0; w < k; w++) {
            int worker = w;
            List<Long> ready = new ArrayList<>();
            List<Long> ends = new ArrayList<>();
            asked.add(ready);
            gathered.add(ends);
            runs.add(pool.submit(() -> {
                meshes.get(worker).reduceScatter(5, g[worker], g[worker], layout, ready::add);
                for (long[] r : meshes.get(worker).owned(layout)) {
                    assertArrayEquals(expected.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r[0], r[1])).dup()
                            .data().asBytes(), g[worker].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(r[0],
                            r[1])).dup().data().asBytes(), "worker " + worker + "'s piece " + r[0]);
                }
                meshes.get(worker).allGather(5, g[worker], layout, ends::add);
                return null;
            }));
        }
        for (Future<?> f : runs) {
            f.get();
        }
        List<Long> lastFirst = new ArrayList<>();
        List<Long> firstFirst = new ArrayList<>();
        for (int b = layout.count() - 1; b >= 0; b--) {
            lastFirst.add(layout.start(b));
            firstFirst.add(0, layout.end(b));
        }
        for (int w = 0; w < k; w++) {
            assertEquals(lastFirst, asked.get(w));
            assertEquals(firstFirst, gathered.get(w));
            assertArrayEquals(expected.data().asBytes(), g[w].data().asBytes(), "worker " + w);
            meshes.get(w).close();
        }
        assertEquals(n, layout.owned(0).stream().mapToLong(r -> r[1] - r[0]).sum()
                + layout.owned(1).stream().mapToLong(r -> r[1] - r[0]).sum()
                + layout.owned(2).stream().mapToLong(r -> r[1] - r[0]).sum());
    }

    /** {@link Buckets#of}: the first bucket of at most 1 MiB, the others of bucketMB; together they tile the vector. */
    @Test
    void bucketsTileTheVectorWithAShortFirstBucket() {
        Buckets b = Buckets.of(24_202_250, 4, 25, 4); // 6,553,600 floats per bucket, the first 262,144
        assertEquals(262_144, b.end(0));
        assertEquals(5, b.count());
        long covered = 0;
        for (int i = 0; i < b.count(); i++) {
            assertEquals(covered, b.start(i));
            covered = b.end(i);
            long pieces = 0;
            for (int j = 0; j < 4; j++) {
                assertEquals(b.start(i) + pieces, b.pieceStart(i, j));
                pieces += b.pieceLength(i, j);
            }
            assertEquals(b.end(i) - b.start(i), pieces);
        }
        assertEquals(24_202_250, covered);
        assertEquals(1, Buckets.of(1000, 2, 25, 4).count());
        assertEquals(1, Buckets.whole(0, 3).count());
    }

    /** Opens a raw connection to {@code port} and answers the challenge with the given Hello fields and MAC. */
    private static PsMessage hello(int port, boolean psLabel, String secret, int worker, int epoch) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            PsMessage.Challenge c = (PsMessage.Challenge) Frames.read(in, 0);
            byte[] nonce = Handshake.nonce();
            byte[] mac = psLabel ? Handshake.helloMac(secret, c.nonce(), nonce, JOB, worker, 0, epoch)
                    : Handshake.peerHelloMac(secret, c.nonce(), nonce, JOB, worker, 0, epoch);
            Frames.write(out, new PsMessage.Hello(JOB, worker, 0, epoch, nonce, mac));
            try {
                return Frames.read(in, 0);
            } catch (IOException closed) {
                return null;
            }
        }
    }

    /** {@code cluster.peer.ports}: the first free port of the range; none free fails naming the setting. */
    @Test
    void aListenerTakesTheFirstFreePortOfItsRangeAndFailsNamingTheSettingWhenNoneIsFree() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocketChannel taken = PeerMesh.listen(loopback, 2)) {
            int port = taken.socket().getLocalPort();
            assumeTrue(port < 65535, "an ephemeral port at the top of the range");
            try (ServerSocketChannel next = PeerMesh.listen(loopback, 2, new PortRange(port, port + 1))) {
                assertEquals(port + 1, next.socket().getLocalPort());
                java.net.BindException none = assertThrows(java.net.BindException.class,
                        () -> PeerMesh.listen(loopback, 2, new PortRange(port, port + 1)));
                assertTrue(none.getMessage().contains("no free port in ports " + port + "-" + (port + 1))
                        && none.getMessage().contains("cluster.peer.ports"), none.getMessage());
            } catch (java.net.BindException busy) {
                assumeTrue(false, "port " + (port + 1) + " is taken by another process: " + busy);
            }
        }
    }

    @Test
    void theListeningSocketRefusesEverythingButThisRunsPeersAndTheRealPeerStillConnects() throws Exception {
        ServerSocketChannel[] servers = new ServerSocketChannel[2];
        servers[0] = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
        servers[1] = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
        int port = servers[0].socket().getLocalPort();
        // worker 0 accepts (its only job: worker 1 connects to it); hostile clients come first
        PeerMesh.Identity zero = new PeerMesh.Identity(JOB, SECRET, 0, 2, 0, 3);
        String[] addresses = {"127.0.0.1:" + port, "127.0.0.1:" + servers[1].socket().getLocalPort()};
        CompletableFuture<PeerMesh> w0 = CompletableFuture.supplyAsync(() -> {
            try {
                return PeerMesh.connect(servers[0], addresses, zero, 10_000);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, pool);
        assertRefused(hello(port, false, Handshake.newSecret(), 1, 3), "authentication failed");
        assertRefused(hello(port, true, SECRET, 1, 3), "authentication failed"); // a parameter-server Hello
        assertRefused(hello(port, false, SECRET, 1, 4), "epoch 5, not 4");
        assertRefused(hello(port, false, SECRET, 0, 3), "does not connect to worker 0");
        try (Socket garbage = new Socket("127.0.0.1", port)) {
            garbage.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(garbage.getInputStream());
            assertTrue(Frames.read(in, 0) instanceof PsMessage.Challenge);
            garbage.getOutputStream().write(new byte[] {5, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
            int next;
            try {
                next = in.read();
            } catch (java.net.SocketException reset) { // closed with the frame's bytes unread: a reset
                next = -1;
            }
            assertEquals(-1, next, "a gradient frame before authentication closes the connection unread");
        }
        PeerMesh.Identity one = new PeerMesh.Identity(JOB, SECRET, 1, 2, 0, 3);
        try (PeerMesh m1 = PeerMesh.connect(servers[1], addresses, one, 10_000); PeerMesh m0 = w0.get()) {
            assertAllReduceSums(m0, m1, new float[] {1f, 2f, 3f}, new float[] {10f, 20f, 30f});
        }
    }

    /**
     * Connections that open and then say nothing (a flood, more than the 2k + 8 handshakes allowed in flight) must
     * not hold up the real peer: handshakes run concurrently, the oldest stalled one is closed for a newer one. With
     * one handshake at a time, the first silent connection alone would hold the acceptor past the mesh's deadline.
     */
    @Test
    void silentConnectionsDoNotHoldUpTheRealPeer() throws Exception {
        ServerSocketChannel[] servers = {PeerMesh.listen(InetAddress.getLoopbackAddress(), 2),
                PeerMesh.listen(InetAddress.getLoopbackAddress(), 2)};
        int port = servers[0].socket().getLocalPort();
        String[] addresses = {"127.0.0.1:" + port, "127.0.0.1:" + servers[1].socket().getLocalPort()};
        PeerMesh.Identity zero = new PeerMesh.Identity(JOB, SECRET, 0, 2, 0, 3);
        int deadlineMillis = 6_000; // the handshake read timeout is as long: one stalled handshake would use it all
        CompletableFuture<PeerMesh> w0 = CompletableFuture.supplyAsync(() -> {
            try {
                return PeerMesh.connect(servers[0], addresses, zero, deadlineMillis);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, pool);
        List<Socket> silent = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Socket s = new Socket();
                s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 2_000);
                silent.add(s);
            }
            PeerMesh.Identity one = new PeerMesh.Identity(JOB, SECRET, 1, 2, 0, 3);
            try (PeerMesh m1 = PeerMesh.connect(servers[1], addresses, one, deadlineMillis); PeerMesh m0 = w0.get()) {
                assertAllReduceSums(m0, m1, new float[] {1f, 2f}, new float[] {3f, 4f});
            }
            // at most 2k + 8 = 12 were left in flight; the mesh closed them when it was complete
            int closed = 0;
            for (Socket s : silent) {
                s.setSoTimeout(2_000);
                try {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    while (in.read() >= 0) {
                        // the challenge, then EOF
                    }
                    closed++;
                } catch (java.net.SocketException reset) {
                    closed++;
                }
            }
            assertEquals(30, closed, "every silent connection was closed by the acceptor");
        } finally {
            for (Socket s : silent) {
                s.close();
            }
        }
    }

    /** Both workers of a two-worker mesh end an all-reduce of {@code a} and {@code b} with a + b. */
    private void assertAllReduceSums(PeerMesh m0, PeerMesh m1, float[] a, float[] b) throws Exception {
        INDArray ta = Nd4j.createUninitialized(DataType.FLOAT, a.length);
        INDArray tb = Nd4j.createUninitialized(DataType.FLOAT, b.length);
        Future<?> other = pool.submit(() -> {
            m1.allReduce(0, Nd4j.createFromArray(b), tb);
            return null;
        });
        m0.allReduce(0, Nd4j.createFromArray(a), ta);
        other.get();
        float[] sum = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = a[i] + b[i];
        }
        assertArrayEquals(sum, ta.toFloatVector());
        assertArrayEquals(sum, tb.toFloatVector());
    }

    private static void assertRefused(PsMessage reply, String reason) {
        assertTrue(reply instanceof PsMessage.Reject r && r.reason().contains(reason), "refused with '" + reason
                + "': " + reply);
    }

    @Test
    void anExchangeWhosePeerGoesSilentFailsAtTheDeadlineAndAMismatchedStepIsRefusedUnread() throws Exception {
        List<PeerMesh> meshes = mesh(2, 1_500, new ServerSocketChannel[2]);
        INDArray g = Nd4j.rand(DataType.FLOAT, 100);
        long start = System.nanoTime();
        IOException silent = assertThrows(IOException.class, () -> meshes.get(0).allReduce(7, g,
                Nd4j.createUninitialized(DataType.FLOAT, 100)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 1.4 && seconds < 10, "failed after " + seconds + " s");
        assertTrue(silent.getMessage().contains("stepTimeoutSeconds"), silent.getMessage());
        meshes.forEach(PeerMesh::close);

        List<PeerMesh> again = mesh(2, 10_000, new ServerSocketChannel[2]);
        Future<?> other = pool.submit(() -> {
            again.get(1).allReduce(8, g, Nd4j.createUninitialized(DataType.FLOAT, 100));
            return null;
        });
        IOException mismatch = assertThrows(IOException.class, () -> again.get(0).allReduce(7, g,
                Nd4j.createUninitialized(DataType.FLOAT, 100)));
        assertTrue(mismatch.getMessage().contains("sent step 8, frame 0, 50 values; expected step 7"),
                mismatch.getMessage());
        again.forEach(PeerMesh::close);
        assertThrows(Exception.class, other::get);
    }
}

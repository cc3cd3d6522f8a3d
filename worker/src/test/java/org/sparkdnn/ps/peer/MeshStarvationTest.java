package org.sparkdnn.ps.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;

/**
 * The peer mesh's listener against starvation, as the parameter server's: trickling connections (the cap, 2k + 8,
 * and 500) do not stop the real peer from connecting and exchanging, a trickled Hello is closed at the whole
 * handshake's deadline, and a bad-MAC Hello with a huge job id from a client that never reads holds nothing up and
 * is answered with a fixed Reject.
 */
class MeshStarvationTest {
    private static final String JOB = "run-peer-starve";
    private static final String SECRET = Handshake.newSecret();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static PeerMesh.Identity worker(int w) {
        return new PeerMesh.Identity(JOB, SECRET, w, 2, 0, 3);
    }

    /** Worker 0 accepting, within {@code timeoutMillis} and a handshake deadline of {@code handshakeMillis}. */
    private CompletableFuture<PeerLink[]> acceptor(ServerSocketChannel server, String[] addresses,
                                                        int timeoutMillis, int handshakeMillis) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return MeshConnections.open(server, addresses, worker(0), timeoutMillis, handshakeMillis,
                        FrameIntegrity.MAC);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, pool);
    }

    private static String[] addresses(ServerSocketChannel... servers) {
        String[] a = new String[servers.length];
        for (int i = 0; i < servers.length; i++) {
            a[i] = "127.0.0.1:" + servers[i].socket().getLocalPort();
        }
        return a;
    }

    @ParameterizedTest(name = "{0} trickling connections")
    @ValueSource(ints = {2 * 2 + 8, 500})
    void tricklingConnectionsDoNotStopTheRealPeer(int trickling) throws Exception {
        try (ServerSocketChannel s0 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
             ServerSocketChannel s1 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2)) {
            String[] addresses = addresses(s0, s1);
            CompletableFuture<PeerMesh> w0 = CompletableFuture.supplyAsync(() -> {
                try {
                    return PeerMesh.connect(s0, addresses, worker(0), 60_000); // outlives opening the flood
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, pool);
            try (Trickler flood = new Trickler(s0.socket().getLocalPort(), trickling, 200)) {
                Thread.sleep(500);
                long start = System.nanoTime();
                try (PeerMesh m1 = PeerMesh.connect(s1, addresses, worker(1), 20_000);
                     PeerMesh m0 = w0.get(20, TimeUnit.SECONDS)) {
                    double seconds = (System.nanoTime() - start) / 1e9;
                    INDArray t0 = Nd4j.createUninitialized(DataType.FLOAT, 2);
                    INDArray t1 = Nd4j.createUninitialized(DataType.FLOAT, 2);
                    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
                        try {
                            m1.allReduce(0, Nd4j.createFromArray(3f, 4f), t1);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, pool);
                    m0.allReduce(0, Nd4j.createFromArray(1f, 2f), t0);
                    other.get(20, TimeUnit.SECONDS);
                    assertArrayEquals(new float[] {4f, 6f}, t0.toFloatVector());
                    assertArrayEquals(new float[] {4f, 6f}, t1.toFloatVector());
                    System.out.printf("%d trickling connections: the mesh of 2 formed in %.2f s and summed%n",
                            trickling, seconds);
                }
            }
        }
    }

    @Test
    void aConnectionTricklingItsHelloIsClosedAtTheWholeHandshakeDeadline() throws Exception {
        try (ServerSocketChannel s0 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
             ServerSocketChannel s1 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2)) {
            String[] addresses = addresses(s0, s1);
            CompletableFuture<PeerLink[]> w0 = acceptor(s0, addresses, 20_000, 1_000);
            try (Socket s = new Socket("127.0.0.1", s0.socket().getLocalPort())) {
                long start = System.nanoTime();
                s.setSoTimeout(300);
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertTrue(Frames.read(in, 0) instanceof PsMessage.Challenge);
                boolean closed = false;
                for (int i = 0; i < 30 && !closed; i++) {
                    try {
                        s.getOutputStream().write(1);
                        closed = in.read() < 0;
                    } catch (SocketTimeoutException stillOpen) {
                        // the acceptor still waits for the rest of the Hello
                    } catch (SocketException reset) {
                        closed = true;
                    }
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("a trickling peer Hello was closed after %.2f s (deadline 1 s)%n", seconds);
                assertTrue(closed && seconds >= 0.5 && seconds < 2.5, "closed " + closed + " after " + seconds + " s");
                assertTrue(!w0.isDone(), "the acceptor still waits for its real peer");
            }
            try (PeerMesh m1 = PeerMesh.connect(s1, addresses, worker(1), 10_000)) {
                for (PeerLink c : w0.get(10, TimeUnit.SECONDS)) {
                    MeshIo.closeQuietly(c);
                }
            }
        }
    }

    @Test
    void aBadMacWithAHugeJobIdFromAClientThatNeverReadsHoldsNothingUpAndIsNotEchoed() throws Exception {
        try (ServerSocketChannel s0 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
             ServerSocketChannel s1 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
             Socket hostile = new Socket()) {
            String[] addresses = addresses(s0, s1);
            CompletableFuture<PeerLink[]> w0 = acceptor(s0, addresses, 20_000, 10_000);
            hostile.setReceiveBufferSize(1024);
            hostile.connect(new InetSocketAddress("127.0.0.1", s0.socket().getLocalPort()));
            ByteArrayOutputStream hello = new ByteArrayOutputStream();
            Frames.write(new DataOutputStream(hello), new PsMessage.Hello("J".repeat(60_000), 1, 0, 3,
                    Handshake.nonce(), new byte[Handshake.MAC_BYTES]));
            hostile.getOutputStream().write(hello.toByteArray());
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (PeerMesh m1 = PeerMesh.connect(s1, addresses, worker(1), 10_000)) {
                    for (PeerLink c : w0.get(10, TimeUnit.SECONDS)) {
                        MeshIo.closeQuietly(c);
                    }
                }
            }, "the real peer connects while the hostile client reads nothing");
            hostile.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(hostile.getInputStream());
            assertTrue(Frames.read(in, 0) instanceof PsMessage.Challenge);
            assertEquals("Reject[reason=authentication failed]", String.valueOf(Frames.read(in, 0)));
            assertTrue(!new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).contains("JJJJ"));
        }
    }
}

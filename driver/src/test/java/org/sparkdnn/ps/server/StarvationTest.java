package org.sparkdnn.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;

/**
 * Starving the parameter server without the secret, over loopback: connections that trickle a Hello a byte at a time
 * (as many as the cap, 2k + 16, and 500) neither outlive the whole-handshake deadline nor stop the k real workers
 * from registering and training; a client that never reads blocks neither the registration of others nor
 * {@link ParameterServer#close}; a failed MAC is answered with a fixed Reject that echoes nothing.
 */
class StarvationTest {
    private static final String JOB = "run-starve";
    private static final String SECRET = Handshake.newSecret();
    private static final int HANDSHAKE_SECONDS = 2; // the step timeout, so also the handshake deadline
    private ParameterServer ps;

    @AfterEach
    void stop() {
        if (ps != null) {
            ps.close();
        }
    }

    private PsClient client(long parameters) throws IOException {
        return PsClient.connect("127.0.0.1", ps.port(), 10_000, 20_000, parameters);
    }

    @ParameterizedTest(name = "{0} trickling connections")
    @ValueSource(ints = {2 * 2 + 16, 500})
    void tricklingConnectionsDoNotStopTheRealWorkersFromRegisteringAndTraining(int trickling) throws Exception {
        ps = new ParameterServer(JOB, SECRET, 2, 3, InetAddress.getLoopbackAddress(), HANDSHAKE_SECONDS);
        ps.beginEpoch(0, 5);
        try (Trickler flood = new Trickler(ps.port(), trickling, 200)) {
            Thread.sleep(500);
            long start = System.nanoTime();
            try (PsClient w0 = client(3); PsClient w1 = client(3)) {
                assertEquals(5, w0.register(JOB, SECRET, 0, 0, 0));
                assertEquals(5, w1.register(JOB, SECRET, 1, 0, 0));
                ps.awaitWorkers(5, () -> false);
                double registered = (System.nanoTime() - start) / 1e9;
                CompletableFuture<PsMessage.Gradient[]> step = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ps.step(5, 0, 0, Nd4j.createFromArray(1f, 2f, 3f), null);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                w0.receive();
                w1.receive();
                w0.send(new PsMessage.Gradient(JOB, 0, 0, 5, 1.0, 1, 0, Nd4j.createFromArray(1f, 1f, 1f)));
                w1.send(new PsMessage.Gradient(JOB, 1, 0, 5, 2.0, 1, 0, Nd4j.createFromArray(2f, 2f, 2f)));
                PsMessage.Gradient[] gradients = step.get(20, TimeUnit.SECONDS);
                assertEquals(2.0, gradients[1].lossSum());
                Thread.sleep(TimeUnit.SECONDS.toMillis(HANDSHAKE_SECONDS) + 1_000); // the flood keeps trickling
                System.out.printf("%d trickling connections: both workers registered in %.2f s and trained a "
                        + "step; the longest-lived trickler was open %d ms; %d reopened%n", trickling, registered,
                        flood.longestMillis(), flood.reopened());
                if (trickling <= 2 * 2 + 16) { // beyond the cap, connections also wait in the accept backlog
                    assertTrue(flood.longestMillis() < TimeUnit.SECONDS.toMillis(HANDSHAKE_SECONDS) + 2_000,
                            "a trickling connection lived " + flood.longestMillis() + " ms; the handshake deadline "
                                    + "is " + HANDSHAKE_SECONDS + " s");
                }
                assertTrue(flood.reopened() >= trickling / 2, "the server closed the trickling connections: "
                        + flood.reopened() + " reopened");
            }
        }
    }

    /** One byte of a Hello every 300 ms: the socket is closed at the whole handshake's deadline, not kept alive. */
    @Test
    void aConnectionTricklingItsHelloIsClosedAtTheWholeHandshakeDeadline() throws Exception {
        ps = new ParameterServer(JOB, SECRET, 2, 3, InetAddress.getLoopbackAddress(), HANDSHAKE_SECONDS);
        ps.beginEpoch(0, 5);
        try (Socket s = new Socket("127.0.0.1", ps.port())) {
            long start = System.nanoTime();
            s.setSoTimeout(300);
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertTrue(Frames.read(in, 0) instanceof PsMessage.Challenge);
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    s.getOutputStream().write(1); // a Hello's type byte, then its job id's length, ...
                    closed = in.read() < 0;
                } catch (SocketTimeoutException stillOpen) {
                    // the server is still waiting for the rest of the Hello
                } catch (SocketException reset) {
                    closed = true;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("a trickling Hello was closed after %.2f s (deadline %d s)%n", seconds,
                    HANDSHAKE_SECONDS);
            assertTrue(closed && seconds >= HANDSHAKE_SECONDS - 0.5 && seconds < HANDSHAKE_SECONDS + 1.5,
                    "closed " + closed + " after " + seconds + " s");
        }
    }

    /**
     * A Hello with a wrong MAC and a 60,000-character job id from a client that never reads (a 1 KiB receive
     * buffer): the Reject is a short fixed text, registration of the real workers and close() go on.
     */
    @Test
    void aBadMacWithAHugeJobIdFromAClientThatNeverReadsBlocksNothingAndIsNotEchoed() throws Exception {
        ps = new ParameterServer(JOB, SECRET, 2, 3, InetAddress.getLoopbackAddress(), 30);
        ps.beginEpoch(0, 5);
        String huge = "J".repeat(60_000);
        try (Socket hostile = new Socket()) {
            hostile.setReceiveBufferSize(1024);
            hostile.connect(new InetSocketAddress("127.0.0.1", ps.port()));
            ByteArrayOutputStream hello = new ByteArrayOutputStream();
            Frames.write(new DataOutputStream(hello), new PsMessage.Hello(huge, 0, 0, 0, Handshake.nonce(),
                    new byte[Handshake.MAC_BYTES]));
            hostile.getOutputStream().write(hello.toByteArray());
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (PsClient w0 = client(3); PsClient w1 = client(3)) {
                    w0.register(JOB, SECRET, 0, 0, 0);
                    w1.register(JOB, SECRET, 1, 0, 0);
                    ps.awaitWorkers(5, () -> false);
                }
            }, "the real workers register while the hostile client reads nothing");
            hostile.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(hostile.getInputStream());
            assertTrue(Frames.read(in, 0) instanceof PsMessage.Challenge);
            PsMessage reply = Frames.read(in, 0);
            assertEquals("Reject[reason=authentication failed]", String.valueOf(reply));
            byte[] rest = in.readAllBytes();
            assertTrue(!new String(rest, StandardCharsets.ISO_8859_1).contains("JJJJ"), "nothing echoed after it");
        }
        assertTimeoutPreemptively(Duration.ofSeconds(2), ps::close);
    }

    /**
     * A registered worker that stops reading while the server sends it 32 MB of parameters (more than the loopback
     * buffers hold): the step's write blocks, the end of the epoch waits behind it, and close() still returns at
     * once and fails the step, though the step deadline (30 s) is far off.
     */
    @Test
    void aWorkerThatNeverReadsCannotBlockClose() throws Exception {
        long parameters = 8_000_000;
        ps = new ParameterServer(JOB, SECRET, 1, parameters, InetAddress.getLoopbackAddress(), 30);
        ps.beginEpoch(0, 5);
        try (PsClient w0 = client(parameters)) {
            w0.register(JOB, SECRET, 0, 0, 0);
            ps.awaitWorkers(5, () -> false);
            INDArray params = Nd4j.zeros(DataType.FLOAT, parameters);
            CompletableFuture<Exception> step = CompletableFuture.supplyAsync(() -> {
                try {
                    ps.step(5, 0, 0, params, null);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            Thread.sleep(500); // the write is blocked: the worker reads nothing
            CompletableFuture<Void> end = CompletableFuture.runAsync(ps::endEpoch);
            Thread.sleep(200);
            long start = System.nanoTime();
            assertTimeoutPreemptively(Duration.ofSeconds(2), ps::close);
            System.out.printf("close() returned in %.1f ms while a 32 MB write to a worker that never reads was "
                    + "blocked%n", (System.nanoTime() - start) / 1e6);
            Exception failure = step.get(5, TimeUnit.SECONDS);
            assertTrue(failure instanceof WorkerLostException, String.valueOf(failure));
            end.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        }
    }

}

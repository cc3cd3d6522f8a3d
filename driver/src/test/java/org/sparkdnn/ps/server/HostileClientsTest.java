package org.sparkdnn.ps.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;

/**
 * The parameter server against hostile peers over loopback: no secret on the wire, replay, frames before
 * authentication, absurd sizes, garbage, silent clients, a connection flood, a malformed gradient and fuzzed frames. Each is refused with a logged reason and the server keeps serving its real workers.
 */
class HostileClientsTest {
    private static final String JOB = "run-hostile";
    private static final String SECRET = Handshake.newSecret();
    private static final int PARAMS = 3;
    private ParameterServer ps;

    @BeforeEach
    void start() throws IOException {
        ps = new ParameterServer(JOB, SECRET, 2, PARAMS, InetAddress.getLoopbackAddress(), 2); // handshake: 2 s
        ps.beginEpoch(0, 5);
    }

    @AfterEach
    void stop() {
        ps.close();
    }

    private PsClient client() throws IOException {
        return PsClient.connect("127.0.0.1", ps.port(), 5_000, 10_000, PARAMS);
    }

    /** The two real workers still register: the server survived whatever came before. */
    private void realWorkersStillRegister() throws Exception {
        try (PsClient w0 = client(); PsClient w1 = client()) {
            assertEquals(5, w0.register(JOB, SECRET, 0, 0, 0));
            assertEquals(5, w1.register(JOB, SECRET, 1, 0, 0));
            ps.awaitWorkers(5, () -> false);
        }
    }

    private Socket raw() throws IOException {
        Socket s = new Socket("127.0.0.1", ps.port());
        s.setSoTimeout(6_000);
        return s;
    }

    /** Reads the server's challenge off a raw socket. */
    private static PsMessage.Challenge challenge(Socket s) throws IOException {
        PsMessage first = Frames.read(new DataInputStream(s.getInputStream()), 0);
        assertTrue(first instanceof PsMessage.Challenge, String.valueOf(first));
        return (PsMessage.Challenge) first;
    }

    /** True when the server closed the connection (EOF or reset) before the socket's read timeout. */
    private static boolean closedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketException reset) {
            return true;
        } catch (java.net.SocketTimeoutException stillOpen) {
            return false;
        }
    }

    private static byte[] frame(PsMessage m) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Frames.write(new DataOutputStream(bytes), m);
        return bytes.toByteArray();
    }

    @Test
    void theSecretNeverCrossesTheWireInEitherDirection() throws Exception {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        try (ServerSocket relay = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> pump = CompletableFuture.runAsync(() -> {
                try (Socket in = relay.accept(); Socket out = new Socket("127.0.0.1", ps.port())) {
                    CompletableFuture<Void> back = CompletableFuture.runAsync(() -> copy(out, in, wire));
                    copy(in, out, wire);
                    back.join();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (PsClient w = PsClient.connect("127.0.0.1", relay.getLocalPort(), 5_000, 10_000, PARAMS)) {
                assertEquals(5, w.register(JOB, SECRET, 0, 0, 0));
            }
            pump.join();
        }
        String seen = wire.toString(StandardCharsets.ISO_8859_1);
        assertTrue(seen.length() > 100, "the relay saw the handshake: " + seen.length() + " bytes");
        assertTrue(!seen.contains(SECRET), "the secret's text crossed the wire");
    }

    private static void copy(Socket from, Socket to, ByteArrayOutputStream wire) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] b = new byte[4096];
            for (int n = in.read(b); n > 0; n = in.read(b)) {
                synchronized (wire) {
                    wire.write(b, 0, n);
                }
                out.write(b, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException closed) {
            // one side closed: the handshake is over
        }
    }

    @Test
    void aHelloReplayedOnAnotherConnectionIsRejectedBecauseTheNonceDiffers() throws Exception {
        byte[] recorded;
        try (Socket first = raw()) {
            PsMessage.Challenge c = challenge(first);
            byte[] clientNonce = Handshake.nonce();
            recorded = frame(new PsMessage.Hello(JOB, 0, 0, 0, clientNonce,
                    Handshake.helloMac(SECRET, c.nonce(), clientNonce, JOB, 0, 0, 0)));
        }
        try (Socket replay = raw()) {
            challenge(replay);
            replay.getOutputStream().write(recorded);
            PsMessage reply = Frames.read(new DataInputStream(replay.getInputStream()), 0);
            assertTrue(reply instanceof PsMessage.Reject r && r.reason().contains("authentication failed"),
                    String.valueOf(reply));
        }
        realWorkersStillRegister();
    }

    /** A GRADIENT frame's fields up to a tensor header declaring 2^31-1 doubles (16 GiB), without the values. */
    private static byte[] gradientHeaderDeclaringTwoBillionDoubles() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(5); // GRADIENT
        out.writeUTF(JOB);
        out.writeInt(0);
        out.writeInt(0);
        out.writeLong(5);
        out.writeDouble(0);
        out.writeInt(1);
        out.writeLong(0);
        out.writeByte('d');
        out.writeInt(Integer.MAX_VALUE);
        return bytes.toByteArray();
    }

    @Test
    void aGradientFrameBeforeAuthenticationIsNotParsedEvenWhenItDeclaresTwoBillionValues() throws Exception {
        try (Socket s = raw()) {
            challenge(s);
            s.getOutputStream().write(gradientHeaderDeclaringTwoBillionDoubles());
            assertTrue(closedByServer(s), "closed at the frame type, before any allocation");
        }
        realWorkersStillRegister();
    }

    @Test
    void anAuthenticatedWorkerCannotDeclareATensorLargerThanTheModel() {
        IOException e = assertThrows(IOException.class, () -> Frames.read(new DataInputStream(
                new java.io.ByteArrayInputStream(gradientHeaderDeclaringTwoBillionDoubles())), PARAMS));
        assertTrue(e.getMessage().contains("tensor of 2147483647 values declared; this model has 3"), e.getMessage());
    }

    /** A BatchNorm statistics frame (within a step) is bounded like a tensor: by the model, before allocation. */
    @Test
    void anAuthenticatedWorkerCannotDeclareBatchNormStatisticsLargerThanTheModel() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(14); // BATCH_NORM_STATS
        out.writeUTF(JOB);
        out.writeInt(0);
        out.writeInt(0);
        out.writeLong(5);
        out.writeInt(0);
        out.writeInt(Integer.MAX_VALUE);
        IOException e = assertThrows(IOException.class, () -> Frames.read(new DataInputStream(
                new java.io.ByteArrayInputStream(bytes.toByteArray())), PARAMS));
        assertTrue(e.getMessage().contains("statistics vector of 2147483647 values declared"), e.getMessage());
    }

    @Test
    void anOversizedNonceGarbageAndASilentClientAreEachClosed() throws Exception {
        try (Socket s = raw()) {
            challenge(s);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeByte(1); // HELLO
            out.writeUTF(JOB);
            out.writeInt(0);
            out.writeInt(0);
            out.writeInt(0);
            out.writeByte(200); // a 200-byte nonce: more than frames allow
            out.flush();
            assertTrue(closedByServer(s), "oversized byte string");
        }
        try (Socket s = raw()) {
            challenge(s);
            byte[] garbage = new byte[10_000];
            new SplittableRandom(1).nextBytes(garbage);
            s.getOutputStream().write(garbage);
            assertTrue(closedByServer(s), "garbage");
        }
        try (Socket s = raw()) {
            long start = System.nanoTime();
            challenge(s);
            assertTrue(closedByServer(s), "a client that never speaks is dropped at the handshake deadline");
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds >= 1.5 && seconds < 6, "after " + seconds + " s (the deadline is 2 s)");
        }
        realWorkersStillRegister();
    }

    @Test
    void aThousandConnectionsAtOnceAreCappedAndTheServerServesItsWorkersAfterwards() throws Exception {
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                flood.add(new Socket("127.0.0.1", ps.port()));
            }
            Thread.sleep(300);
            long readers = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("ps-read-")).count();
            assertTrue(readers <= 2 * 2 + 16, readers + " reader threads for 1000 connections (cap 20)");
        } finally {
            for (Socket s : flood) {
                s.close();
            }
        }
        Thread.sleep(2_500); // the flood's open connections time out at the handshake deadline
        realWorkersStillRegister();
    }

    @Test
    void aWrongLengthGradientFailsTheStepSoThatSparkRetriesIt() throws Exception {
        Exception failure = stepWithGradients(null, new PsMessage.Gradient(JOB, 0, 0, 5, 1.0, 1, 0,
                Nd4j.createFromArray(1f, 0f, 0f)), new PsMessage.Gradient(JOB, 1, 0, 5, 1.0, 1, 0,
                Nd4j.createFromArray(1f, 0f)));
        assertTrue(failure instanceof WorkerLostException && failure.getMessage().contains("malformed gradient"),
                String.valueOf(failure));
    }

    /** A gradient that claims more examples than its worker's shard has (Σ examples ≠ batch rows) fails the step. */
    @Test
    void aGradientOverTheWrongNumberOfExamplesFailsTheStep() throws Exception {
        Exception failure = stepWithGradients(new int[] {2, 1}, new PsMessage.Gradient(JOB, 0, 0, 5, 1.0, 2, 0,
                Nd4j.createFromArray(1f, 0f, 0f)), new PsMessage.Gradient(JOB, 1, 0, 5, 1.0, 7, 0,
                Nd4j.createFromArray(1f, 0f, 0f)));
        assertTrue(failure instanceof WorkerLostException && failure.getMessage().contains("7 examples for a "
                + "shard of 1"), String.valueOf(failure));
    }

    /** Two registered workers answer step 5 (shards of {@code shardRows}) with these gradients: how the step ends. */
    private Exception stepWithGradients(int[] shardRows, PsMessage.Gradient g0, PsMessage.Gradient g1)
            throws Exception {
        try (PsClient w0 = client(); PsClient w1 = client()) {
            w0.register(JOB, SECRET, 0, 0, 0);
            w1.register(JOB, SECRET, 1, 0, 0);
            ps.awaitWorkers(5, () -> false);
            CompletableFuture<Exception> step = CompletableFuture.supplyAsync(() -> {
                try {
                    ps.step(5, 0, 0, Nd4j.createFromArray(1f, 2f, 3f), shardRows);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            w0.receive();
            w1.receive();
            w0.send(g0);
            w1.send(g1);
            return step.get();
        }
    }

    /**
     * Fuzzing, in two parts: the frame parser (what decides what a connection may do before it authenticates) gets
     * 100,000 random and mutated frames in process; a live server gets 500 fuzzed handshakes over real connections
     * ({@code -Dsparkdnn.fuzz.liveFrames=10000} for more: this sandbox takes ~10 ms per loopback connection, so the
     * suite runs 500; 10,000 were run by hand, see the README).
     */
    @Test
    void fuzzedFramesNeitherCrashTheParserNorTheServerNorLeakThreads() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        byte[] valid = frame(new PsMessage.Hello(JOB, 0, 0, 0, Handshake.nonce(), new byte[Handshake.MAC_BYTES]));
        byte[] gradient = frame(new PsMessage.Gradient(JOB, 0, 0, 5, 1.0, 1, 0, Nd4j.createFromArray(1f, 2f, 3f)));
        int parsed = 0;
        for (int i = 0; i < 100_000; i++) {
            byte[] fuzz = random.nextInt(4) == 0 ? randomBytes(random, 1 + random.nextInt(64))
                    : mutate(random.nextBoolean() ? valid : gradient, random);
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(fuzz));
            try {
                if (i % 2 == 0) {
                    Frames.readHello(in);
                } else {
                    Frames.read(in, PARAMS);
                }
                parsed++;
            } catch (IOException rejected) {
                // the only allowed failure: a frame that is not well-formed (EOFException included)
            }
        }
        assertTrue(parsed > 0 && parsed < 100_000, parsed + " of 100,000 fuzzed frames parsed");

        int live = Integer.getInteger("sparkdnn.fuzz.liveFrames", 500);
        long deadline = System.nanoTime() + Math.max(60, live / 20) * 1_000_000_000L;
        long liveStart = System.nanoTime();
        for (int i = 0; i < live && System.nanoTime() < deadline; i++) {
            byte[] fuzz = random.nextInt(4) == 0 ? randomBytes(random, 1 + random.nextInt(64)) : mutate(valid, random);
            try (Socket s = new Socket("127.0.0.1", ps.port())) {
                s.setSoLinger(true, 0);
                s.getOutputStream().write(fuzz);
            } catch (IOException refusedOrReset) {
                // the server may close first; that is one of the allowed outcomes
            }
        }
        assertTrue(System.nanoTime() < deadline, live + " fuzzed live handshakes within the deadline");
        System.out.printf("%d fuzzed live handshakes in %.1f s%n", live, (System.nanoTime() - liveStart) / 1e9);
        Thread.sleep(2_500);
        long readers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("ps-read-")).count();
        assertTrue(readers <= 2, readers + " reader threads left after the fuzzing");
        realWorkersStillRegister();
    }

    private static byte[] randomBytes(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static byte[] mutate(byte[] valid, SplittableRandom random) {
        byte[] b = java.util.Arrays.copyOf(valid, random.nextInt(4) == 0 ? random.nextInt(valid.length + 1) : valid.length);
        for (int flips = 1 + random.nextInt(4); flips > 0 && b.length > 0; flips--) {
            b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
        return b;
    }
}

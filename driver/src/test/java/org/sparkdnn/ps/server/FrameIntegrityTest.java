package org.sparkdnn.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.FrameIntegrityException;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;
import org.sparkdnn.ps.server.TamperingRelay.Tamper;

/**
 * The frames after the handshake, through a recording relay that tampers with one (cluster.frameIntegrity: mac):
 * a flipped bit, a replayed frame and a dropped one are each detected, the step fails like a lost worker (Spark
 * retries the stage) and its gradients are never returned; with integrity off, the same flipped bit goes through.
 */
class FrameIntegrityTest {
    private static final String JOB = "run-frames";
    private static final String SECRET = "s3cret";
    private static final long STEP = 5;
    private ParameterServer ps;
    private TamperingRelay relay;

    private void start(FrameIntegrity integrity, boolean toServer, int frame, Tamper tamper) throws IOException {
        ps = new ParameterServer(JOB, SECRET, 2, 3, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                integrity, 10);
        ps.beginEpoch(0, STEP);
        relay = new TamperingRelay(ps.port(), integrity == FrameIntegrity.MAC, toServer, frame, tamper);
    }

    @AfterEach
    void stop() {
        relay.close();
        ps.close();
    }

    private PsClient direct() throws IOException {
        return PsClient.connect("127.0.0.1", ps.port(), 5_000, 10_000, 3);
    }

    private PsClient relayed() throws IOException {
        return PsClient.connect("127.0.0.1", relay.port(), 5_000, 10_000, 3);
    }

    /** Step {@code step} on another thread: its gradients, or the exception it failed with. */
    private CompletableFuture<Object> step(long step) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ps.step(step, 0, 0, Nd4j.createFromArray(1f, 2f, 3f), null);
            } catch (Exception e) {
                return e;
            }
        });
    }

    private static PsMessage.Gradient gradient(int worker, long step, float... values) {
        return new PsMessage.Gradient(JOB, worker, 0, step, 1.0, 1, 0, Nd4j.createFromArray(values));
    }

    /** Both register (worker 1 through the relay). */
    private void register(PsClient w0, PsClient w1, FrameIntegrity integrity, long step) throws Exception {
        w0.register(JOB, SECRET, 0, 0, 0, integrity);
        w1.register(JOB, SECRET, 1, 0, 0, integrity);
        ps.awaitWorkers(step, () -> false);
    }

    private static void assertFailedOnIntegrity(Object result, String frame) {
        assertTrue(result instanceof WorkerLostException, "the step failed as a lost worker: " + result);
        Throwable cause = ((Exception) result).getCause();
        assertTrue(cause instanceof FrameIntegrityException, "because of a frame's MAC: " + cause);
        assertTrue(cause.getMessage().contains(frame + " from worker 1 at "), cause.getMessage());
        assertTrue(cause.getMessage().contains("cluster.frameIntegrity"), cause.getMessage());
    }

    @Test
    void untamperedFramesThroughTheRelayGiveTheWorkersGradients() throws Exception {
        start(FrameIntegrity.MAC, true, 1, Tamper.NONE);
        try (PsClient w0 = direct(); PsClient w1 = relayed()) {
            register(w0, w1, FrameIntegrity.MAC, STEP);
            CompletableFuture<Object> step = step(STEP);
            w0.receive();
            w1.receive();
            w0.send(gradient(0, STEP, 1f, 0f, 0f));
            w1.send(gradient(1, STEP, 0f, 1f, 0f));
            PsMessage.Gradient[] gradients = (PsMessage.Gradient[]) step.get(10, TimeUnit.SECONDS);
            assertArrayEquals(new float[] {0f, 1f, 0f}, gradients[1].gradient().toFloatVector());
        }
    }

    @Test
    void aGradientWithOneBitFlippedFailsTheStepNamingTheWorkerAndTheFrame() throws Exception {
        start(FrameIntegrity.MAC, true, 1, Tamper.FLIP); // frame 1 to the server: the first after the Hello
        try (PsClient w0 = direct(); PsClient w1 = relayed()) {
            register(w0, w1, FrameIntegrity.MAC, STEP);
            CompletableFuture<Object> step = step(STEP);
            w0.receive();
            w1.receive();
            w0.send(gradient(0, STEP, 1f, 0f, 0f));
            w1.send(gradient(1, STEP, 0f, 1f, 0f));
            assertFailedOnIntegrity(step.get(10, TimeUnit.SECONDS), "frame 0");
        }
    }

    @Test
    void anEarlierStepsGradientReplayedInPlaceOfThisOnesFailsTheStep() throws Exception {
        start(FrameIntegrity.MAC, true, 2, Tamper.REPLAY); // step 6's gradient replaced by step 5's
        try (PsClient w0 = direct(); PsClient w1 = relayed()) {
            register(w0, w1, FrameIntegrity.MAC, STEP);
            for (long s = STEP; s <= STEP + 1; s++) {
                CompletableFuture<Object> step = step(s);
                w0.receive();
                w1.receive();
                w0.send(gradient(0, s, 1f, 0f, 0f));
                w1.send(gradient(1, s, 0f, 1f, 0f));
                Object result = step.get(10, TimeUnit.SECONDS);
                if (s == STEP) {
                    assertEquals(2, ((PsMessage.Gradient[]) result).length, "step 5 is untouched");
                } else {
                    assertFailedOnIntegrity(result, "frame 1");
                }
            }
        }
    }

    @Test
    void aDroppedGradientFailsAtTheNextFrameOfThatWorker() throws Exception {
        start(FrameIntegrity.MAC, true, 1, Tamper.DROP);
        try (PsClient w0 = direct(); PsClient w1 = relayed()) {
            register(w0, w1, FrameIntegrity.MAC, STEP);
            CompletableFuture<Object> step = step(STEP);
            w0.receive();
            w1.receive();
            w0.send(gradient(0, STEP, 1f, 0f, 0f));
            w1.send(gradient(1, STEP, 0f, 1f, 0f)); // dropped
            w1.send(gradient(1, STEP, 0f, 1f, 0f)); // its next frame, counted as frame 1, arrives as frame 0
            assertFailedOnIntegrity(step.get(10, TimeUnit.SECONDS), "frame 0");
        }
    }

    @Test
    void parametersWithOneBitFlippedAreRefusedByTheWorker() throws Exception {
        start(FrameIntegrity.MAC, false, 2, Tamper.FLIP); // frame 2 to the worker: the first after the Welcome
        try (PsClient w0 = direct(); PsClient w1 = relayed()) {
            register(w0, w1, FrameIntegrity.MAC, STEP);
            step(STEP);
            w0.receive();
            FrameIntegrityException e = assertThrows(FrameIntegrityException.class, w1::receive);
            assertTrue(e.getMessage().contains("frame 0 from the parameter server at 127.0.0.1:"), e.getMessage());
        }
    }

    @Test
    void withIntegrityOffTheSameFlippedBitGoesThroughUnnoticed() throws Exception {
        start(FrameIntegrity.OFF, true, 1, Tamper.FLIP);
        try (PsClient w0 = direct(); PsClient w1 = relayed()) {
            register(w0, w1, FrameIntegrity.OFF, STEP);
            CompletableFuture<Object> step = step(STEP);
            w0.receive();
            w1.receive();
            w0.send(gradient(0, STEP, 1f, 0f, 0f));
            w1.send(gradient(1, STEP, 0f, 1f, 0f));
            INDArray got = ((PsMessage.Gradient[]) step.get(10, TimeUnit.SECONDS))[1].gradient();
            assertTrue(got.getFloat(2) != 0f, "the relay's flipped bit reached the server: " + got);
        }
    }
}

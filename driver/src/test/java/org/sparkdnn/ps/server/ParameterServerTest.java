package org.sparkdnn.ps.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;

/** The parameter server and its client over loopback TCP: authentication, stale messages, the step exchange. */
class ParameterServerTest {
    private static final String JOB = "run-test";
    private static final String SECRET = "s3cret";
    private ParameterServer ps;

    @BeforeEach
    void start() throws IOException {
        ps = new ParameterServer(JOB, SECRET, 2, 3, InetAddress.getLoopbackAddress(), 10);
        ps.beginEpoch(0, 5);
    }

    @AfterEach
    void stop() {
        ps.close();
    }

    private PsClient client() throws IOException {
        return PsClient.connect("127.0.0.1", ps.port(), 5_000, 10_000, 20_000_000);
    }

    /** Step 5 on another thread: its gradients, or the exception it failed with. */
    private CompletableFuture<Object> stepInBackground(INDArray params) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ps.step(5, 0, 0, params, null);
            } catch (Exception e) {
                return e;
            }
        });
    }

    @Test
    void rejectsAConnectionWithAWrongSecretAndKeepsServingTheOthers() throws Exception {
        try (PsClient intruder = client()) {
            IOException e = assertThrows(IOException.class,
                    () -> intruder.register(JOB, "guess", 0, 0, 0));
            assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
        }
        try (PsClient w0 = client(); PsClient w1 = client()) {
            assertEquals(5, w0.register(JOB, SECRET, 0, 0, 0));
            assertEquals(5, w1.register(JOB, SECRET, 1, 0, 0));
            ps.awaitWorkers(5, () -> false);
        }
    }

    @Test
    void rejectsHellosOfAnotherJobAnotherEpochOrAnOutOfRangeWorkerAndSaysWhy() throws Exception {
        String[][] cases = {
                {"run-other", "0", "0", "rejected Hello(job run-other, worker 0, stage attempt 0, epoch 0): this "
                        + "parameter server serves job run-test, not the Hello's"},
                {JOB, "1", "0", "stale: the worker holds epoch 2, the server is in epoch 1"},
                {JOB, "0", "7", "worker index 7 outside 0..1"},
        };
        for (String[] c : cases) {
            try (PsClient w = client()) {
                IOException e = assertThrows(IOException.class, () -> w.register(c[0], SECRET,
                        Integer.parseInt(c[2]), 0, Integer.parseInt(c[1])));
                assertTrue(e.getMessage().contains(c[3]), e.getMessage());
            }
        }
    }

    @Test
    void aStepSendsTheParametersAndReturnsGradientsInWorkerOrderIgnoringStaleOnes() throws Exception {
        try (PsClient w0 = client(); PsClient w1 = client()) {
            w1.register(JOB, SECRET, 1, 0, 0);
            w0.register(JOB, SECRET, 0, 0, 0);
            ps.awaitWorkers(5, () -> false);
            INDArray params = Nd4j.createFromArray(1f, 2f, 3f);
            CompletableFuture<PsMessage.Gradient[]> step = CompletableFuture.supplyAsync(() -> {
                try {
                    return ps.step(5, 0, 3, params, null);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            PsMessage.Params p1 = (PsMessage.Params) w1.receive();
            PsMessage.Params p0 = (PsMessage.Params) w0.receive();
            assertEquals(5, p0.step());
            assertEquals(3, p1.batch());
            assertArrayEquals(new float[] {1f, 2f, 3f}, p0.params().toFloatVector());
            // a late gradient of an older step must not count
            w1.send(new PsMessage.Gradient(JOB, 1, 0, 4, 9.0, 1, 0, Nd4j.createFromArray(9f, 9f, 9f)));
            w1.send(new PsMessage.Gradient(JOB, 1, 0, 5, 2.0, 2, 0, Nd4j.createFromArray(0f, 1f, 0f)));
            w0.send(new PsMessage.Gradient(JOB, 0, 0, 5, 1.0, 1, 0, Nd4j.createFromArray(1f, 0f, 0f)));
            PsMessage.Gradient[] gradients = step.get();
            assertEquals(0, gradients[0].worker());
            assertEquals(1, gradients[1].worker());
            assertArrayEquals(new float[] {0f, 1f, 0f}, gradients[1].gradient().toFloatVector());
        }
    }

    /**
     * Synchronized BatchNorm within a step: each round of k statistics vectors is merged in worker order (Chan's
     * formula) and the same merge goes back to every worker; the gradients follow.
     */
    @Test
    void aStepMergesBatchNormStatisticsRoundsBeforeTheGradients() throws Exception {
        try (PsClient w0 = client(); PsClient w1 = client()) {
            w0.register(JOB, SECRET, 0, 0, 0);
            w1.register(JOB, SECRET, 1, 0, 0);
            ps.awaitWorkers(5, () -> false);
            CompletableFuture<Object> step = stepInBackground(Nd4j.createFromArray(1f, 2f, 3f));
            w0.receive();
            w1.receive();
            // layer 2, forward, one channel: {1, 2, 3} (mean 2, M2 2) and {10} (mean 10, M2 0)
            w1.send(new PsMessage.BatchNormStats(JOB, 1, 0, 5, 0, new double[] {2, 1, 1, 10, 0}));
            w0.send(new PsMessage.BatchNormStats(JOB, 0, 0, 5, 0, new double[] {2, 1, 3, 2, 2}));
            for (PsClient w : new PsClient[] {w0, w1}) {
                PsMessage.BatchNormMerged m = (PsMessage.BatchNormMerged) w.receive();
                assertEquals(0, m.pass());
                assertEquals(0, m.writer());
                assertArrayEquals(new double[] {2, 1, 4, 4, 50}, m.values(), 1e-12);
            }
            w0.send(new PsMessage.Gradient(JOB, 0, 0, 5, 1.0, 3, 0, Nd4j.createFromArray(1f, 0f, 0f)));
            w1.send(new PsMessage.Gradient(JOB, 1, 0, 5, 1.0, 1, 0, Nd4j.createFromArray(0f, 1f, 0f)));
            assertEquals(2, ((PsMessage.Gradient[]) step.get()).length);
        }
    }

    /** A worker whose BatchNorm statistics are of another layer fails the step like a lost worker: nothing is merged. */
    @Test
    void batchNormStatisticsOfAnotherLayerFailTheStep() throws Exception {
        try (PsClient w0 = client(); PsClient w1 = client()) {
            w0.register(JOB, SECRET, 0, 0, 0);
            w1.register(JOB, SECRET, 1, 0, 0);
            ps.awaitWorkers(5, () -> false);
            CompletableFuture<Object> step = stepInBackground(Nd4j.createFromArray(1f, 2f, 3f));
            w0.receive();
            w1.receive();
            w0.send(new PsMessage.BatchNormStats(JOB, 0, 0, 5, 0, new double[] {2, 1, 3, 2, 2}));
            w1.send(new PsMessage.BatchNormStats(JOB, 1, 0, 5, 0, new double[] {7, 1, 1, 10, 0}));
            Object failure = step.get();
            assertTrue(failure instanceof WorkerLostException e && e.getMessage().contains("layer 7"),
                    String.valueOf(failure));
        }
    }

    @Test
    void aWorkerThatDiesDuringAStepFailsTheStepInsteadOfHangingIt() throws Exception {
        try (PsClient w0 = client()) {
            PsClient w1 = client();
            w0.register(JOB, SECRET, 0, 0, 0);
            w1.register(JOB, SECRET, 1, 0, 0);
            ps.awaitWorkers(5, () -> false);
            CompletableFuture<Exception> step = CompletableFuture.supplyAsync(() -> {
                try {
                    ps.step(5, 0, 0, Nd4j.createFromArray(1f), null);
                    return null;
                } catch (Exception e) {
                    return e;
                }
            });
            w1.receive();
            w1.close();
            Exception failure = step.get();
            assertTrue(failure instanceof WorkerLostException, String.valueOf(failure));
            assertTrue(failure.getMessage().contains("worker 1"), failure.getMessage());
        }
    }

    @Test
    void aNewerStageAttemptReplacesTheOldWorkersAndAnOlderAttemptIsRejected() throws Exception {
        try (PsClient old0 = client(); PsClient new0 = client(); PsClient new1 = client(); PsClient late = client()) {
            old0.register(JOB, SECRET, 0, 0, 0);
            new0.register(JOB, SECRET, 0, 1, 0);
            new1.register(JOB, SECRET, 1, 1, 0);
            ps.awaitWorkers(5, () -> false);
            IOException e = assertThrows(IOException.class, () -> late.register(JOB, SECRET, 1, 0, 0));
            assertTrue(e.getMessage().contains("stale stage attempt 0; attempt 1 is running"), e.getMessage());
        }
    }

    @Test
    void aWorkerLostBetweenStepsFailsTheNextStepAsWorkerLostNotAsACrash() throws Exception {
        try (PsClient w0 = client()) {
            PsClient w1 = client();
            w0.register(JOB, SECRET, 0, 0, 0);
            w1.register(JOB, SECRET, 1, 0, 0);
            ps.awaitWorkers(5, () -> false);
            w1.close();
            Thread.sleep(500); // the server's reader thread sees EOF and empties worker 1's slot
            WorkerLostException lost = assertThrows(WorkerLostException.class,
                    () -> ps.step(5, 0, 0, Nd4j.createFromArray(1f), null));
            assertTrue(lost.getMessage().contains("worker 1"), lost.getMessage());
            // the survivor's connection is closed, so its task ends and frees its slot for Spark's retry
            IOException closed = assertThrows(IOException.class, w0::receive);
            assertTrue(!(closed.getCause() instanceof java.net.SocketTimeoutException), "closed by the server, not "
                    + "timed out: " + closed);
        }
    }

    @Test
    void aWorkerOfARerunStageAfterTheEpochEndedIsToldToFinish() throws Exception {
        try (PsClient w0 = client(); PsClient w1 = client(); PsClient late = client()) {
            w0.register(JOB, SECRET, 0, 0, 0);
            w1.register(JOB, SECRET, 1, 0, 0);
            ps.awaitWorkers(5, () -> false);
            ps.endEpoch();
            assertEquals(5, late.register(JOB, SECRET, 0, 1, 0));
            assertTrue(late.receive() instanceof PsMessage.EndEpoch);
        }
    }

    @Test
    void aWorkerThatStopsReadingCannotBlockASendPastTheStepDeadline() throws Exception {
        ps.close();
        ps = new ParameterServer(JOB, SECRET, 1, 20_000_000, InetAddress.getLoopbackAddress(), 2);
        ps.beginEpoch(0, 0);
        try (PsClient frozen = client()) {
            frozen.register(JOB, SECRET, 0, 0, 0);
            ps.awaitWorkers(0, () -> false);
            long start = System.nanoTime();
            // 80 MB of parameters: far more than the socket buffers hold while the worker reads nothing
            WorkerLostException e = assertThrows(WorkerLostException.class,
                    () -> ps.step(0, 0, 0, Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.FLOAT, 20_000_000), null));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 10, "released after " + seconds + " s");
            assertTrue(e.getMessage().contains("cluster.stepTimeoutSeconds"), e.getMessage());
        }
    }
}

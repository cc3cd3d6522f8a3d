package org.sparkdnn.ps.peer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.ps.FrameIntegrityException;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.peer.MeshTamperingRelay.Tamper;

/**
 * The mesh's frames through a relay that tampers with one gradient frame from worker 1 to worker 0
 * (cluster.frameIntegrity: mac): a flipped bit, an earlier step's frame replayed under this step's header, or a
 * dropped frame each fail the exchange before the sum is used; an untouched step before it is bitwise right.
 */
class MeshFrameIntegrityTest {
    private static final String JOB = "run-mesh-frames";
    private static final String SECRET = Handshake.newSecret();
    private static final int N = 1001;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final PeerMesh[] meshes = new PeerMesh[2];
    private MeshTamperingRelay relay;

    @AfterEach
    void stop() {
        for (PeerMesh m : meshes) {
            if (m != null) {
                m.close();
            }
        }
        relay.close();
        pool.shutdownNow();
    }

    /** Worker 1 reaches worker 0 only through the relay. */
    private void connect(int frame, Tamper tamper) throws Exception {
        ServerSocketChannel s0 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
        ServerSocketChannel s1 = PeerMesh.listen(InetAddress.getLoopbackAddress(), 2);
        relay = new MeshTamperingRelay(s0.socket().getLocalPort(), Float.BYTES, frame, tamper);
        String one = "127.0.0.1:" + s1.socket().getLocalPort();
        Future<PeerMesh> zero = pool.submit(() -> PeerMesh.connect(s0, new String[] {"127.0.0.1:0", one},
                new PeerMesh.Identity(JOB, SECRET, 0, 2, 0, 3), 3_000));
        meshes[1] = PeerMesh.connect(s1, new String[] {relay.address(), one},
                new PeerMesh.Identity(JOB, SECRET, 1, 2, 0, 3), 3_000);
        meshes[0] = zero.get(10, TimeUnit.SECONDS);
    }

    /** Step {@code step} on both workers: worker 0's failure, or null when both summed. */
    private IOException step(long step, INDArray[] own, INDArray[] target) throws Exception {
        Future<?> w1 = pool.submit(() -> {
            meshes[1].allReduce(step, own[1], target[1]);
            return null;
        });
        try {
            meshes[0].allReduce(step, own[0], target[0]);
        } catch (IOException e) {
            return e;
        }
        w1.get(10, TimeUnit.SECONDS);
        return null;
    }

    private IOException run(int frame, Tamper tamper) throws Exception {
        connect(frame, tamper);
        INDArray[] own = {Nd4j.rand(DataType.FLOAT, N), Nd4j.rand(DataType.FLOAT, N)};
        INDArray[] target = {Nd4j.createUninitialized(DataType.FLOAT, N), Nd4j.createUninitialized(DataType.FLOAT, N)};
        for (long s = 42; ; s++) {
            IOException failure = step(s, own, target);
            if (failure != null) {
                return failure;
            }
            assertArrayEquals(own[0].add(own[1]).data().asBytes(), target[0].data().asBytes(), "step " + s);
        }
    }

    private static void assertIntegrityFailure(IOException e, String frame) {
        assertTrue(e.getCause() instanceof FrameIntegrityException, "a frame's MAC failed: " + e);
        assertTrue(e.getMessage().contains(frame + " from worker 1 failed its integrity check"), e.getMessage());
    }

    @Test
    void aGradientFrameWithOneBitFlippedFailsTheExchange() throws Exception {
        assertIntegrityFailure(run(0, Tamper.FLIP), "frame 0");
    }

    @Test
    void anEarlierStepsFrameReplayedUnderThisStepsHeaderFailsTheExchange() throws Exception {
        assertIntegrityFailure(run(2, Tamper.REPLAY), "frame 2"); // step 43's reduce-scatter frame, step 42's values
    }

    @Test
    void aDroppedFrameFailsTheExchange() throws Exception {
        IOException e = run(0, Tamper.DROP);
        assertTrue(e.getMessage().contains("the exchange with the other workers failed"), e.getMessage());
        assertTrue(e.getMessage().contains("worker 1 sent step 42, frame 1"), "its next frame is not the one "
                + "expected (or, with the header forged too, its MAC fails): " + e.getMessage());
    }
}

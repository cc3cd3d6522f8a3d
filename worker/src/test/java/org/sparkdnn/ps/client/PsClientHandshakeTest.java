package org.sparkdnn.ps.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;

/**
 * The worker's side of the handshake has one deadline for the whole of it: a peer posing as the parameter server that
 * trickles its challenge a byte at a time (each read well within the per-read timeout) is cut off at the deadline.
 */
class PsClientHandshakeTest {
    @Test
    void aServerTricklingItsChallengeIsCutOffAtTheWholeHandshakeDeadline() throws Exception {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        Frames.write(new DataOutputStream(frame), new PsMessage.Challenge(Handshake.nonce()));
        byte[] challenge = frame.toByteArray();
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread trickler = new Thread(() -> {
                try (Socket s = fake.accept(); OutputStream out = s.getOutputStream()) {
                    for (int i = 0; i < challenge.length - 1; i++) { // a real challenge, a byte per 200 ms, never whole
                        out.write(challenge[i]);
                        out.flush();
                        Thread.sleep(200);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client closed the connection: what this test waits for
                }
            });
            trickler.setDaemon(true);
            trickler.start();
            try (PsClient client = PsClient.connect("127.0.0.1", fake.getLocalPort(), 5_000, 10_000, 10)) {
                long start = System.nanoTime();
                IOException e = assertThrows(IOException.class,
                        () -> client.register("job", "secret", 0, 0, 0, FrameIntegrity.MAC, 1_000));
                double seconds = (System.nanoTime() - start) / 1e9;
                assertEquals("the parameter server at 127.0.0.1:" + fake.getLocalPort() + " did not complete the "
                        + "handshake within 1000 ms", e.getMessage());
                assertTrue(seconds >= 0.9 && seconds < 5, "cut off after " + seconds + " s, not at the 10 s read timeout");
            }
        }
    }
}

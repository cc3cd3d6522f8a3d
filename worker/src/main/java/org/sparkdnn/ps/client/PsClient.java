package org.sparkdnn.ps.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.FrameStream;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.SessionKeys;
import org.sparkdnn.ps.Watchdog;

/**
 * A worker's connection to the parameter server. Blocking; every read has the step deadline, and the whole handshake
 * one deadline of its own (10 s, or the step deadline if shorter), however slowly a peer posing as the server sends.
 * After the server's Welcome, with {@code cluster.frameIntegrity: mac}, every frame either way carries its MAC
 * ({@link FrameStream}).
 */
public final class PsClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PsClient.class);
    /** The longest a whole handshake may take, as on the server's side. */
    static final int HANDSHAKE_MILLIS = 10_000;

    private final Socket socket;
    private final FrameStream frames;
    private final String address;
    private final long maxTensorLength;

    private PsClient(Socket socket, String address, long maxTensorLength) throws IOException {
        this.socket = socket;
        this.address = address;
        this.maxTensorLength = maxTensorLength;
        this.frames = new FrameStream(socket.getInputStream(), socket.getOutputStream());
    }

    /**
     * Connects, retrying refused connections until {@code timeoutMillis} has passed.
     *
     * @param readTimeoutMillis deadline of every later read (cluster.stepTimeoutSeconds)
     * @param maxTensorLength   the model's parameter count: the largest tensor the server may send
     */
    public static PsClient connect(String host, int port, int timeoutMillis, int readTimeoutMillis,
                                   long maxTensorLength) throws IOException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        String address = host + ":" + port;
        while (true) {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true);
                socket.connect(new InetSocketAddress(host, port), timeoutMillis);
                socket.setSoTimeout(readTimeoutMillis);
                return new PsClient(socket, address, maxTensorLength);
            } catch (ConnectException e) {
                socket.close();
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("cannot reach the parameter server at " + address + " within "
                            + timeoutMillis / 1000 + " s: is the driver reachable from executors (spark.driver.host)?", e);
                }
                sleepBeforeRetry();
            }
        }
    }

    private static void sleepBeforeRetry() throws IOException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to the parameter server", e);
        }
    }

    /**
     * Authenticates (answers the server's challenge with an HMAC of the run's secret, checks the server's proof) and
     * registers; returns the step training continues at. A rejection or a failed proof becomes an exception.
     */
    public long register(String jobId, String secret, int worker, int stageAttempt, int epoch) throws IOException {
        return register(jobId, secret, worker, stageAttempt, epoch, FrameIntegrity.MAC);
    }

    /** As above; {@code integrity}: whether the frames after the Welcome carry MACs ({@code cluster.frameIntegrity}). */
    public long register(String jobId, String secret, int worker, int stageAttempt, int epoch,
                         FrameIntegrity integrity) throws IOException {
        return register(jobId, secret, worker, stageAttempt, epoch, integrity,
                Math.min(HANDSHAKE_MILLIS, Math.max(1, socket.getSoTimeout())));
    }

    /** As above, the whole handshake within {@code handshakeMillis} (a watchdog closes the socket at it). */
    long register(String jobId, String secret, int worker, int stageAttempt, int epoch, FrameIntegrity integrity,
                  int handshakeMillis) throws IOException {
        try (Watchdog watchdog = new Watchdog("ps-client-handshake " + address)) {
            Watchdog.Alarm alarm = watchdog.after(TimeUnit.MILLISECONDS.toNanos(handshakeMillis), this::closeQuietly);
            try {
                return handshake(jobId, secret, worker, stageAttempt, epoch, integrity);
            } catch (IOException e) {
                if (alarm.fired()) {
                    throw new IOException("the parameter server at " + address + " did not complete the handshake "
                            + "within " + handshakeMillis + " ms", e);
                }
                throw e;
            } finally {
                alarm.close();
            }
        }
    }

    private long handshake(String jobId, String secret, int worker, int stageAttempt, int epoch,
                           FrameIntegrity integrity) throws IOException {
        PsMessage first = receive();
        if (!(first instanceof PsMessage.Challenge challenge)) {
            throw new IOException("the parameter server at " + address + " sent " + first + " instead of a challenge");
        }
        byte[] clientNonce = Handshake.nonce();
        PsMessage.Hello hello = new PsMessage.Hello(jobId, worker, stageAttempt, epoch, clientNonce,
                Handshake.helloMac(secret, challenge.nonce(), clientNonce, jobId, worker, stageAttempt, epoch));
        send(hello);
        PsMessage reply = receive();
        if (reply instanceof PsMessage.Welcome w) {
            if (!Handshake.matches(Handshake.welcomeProof(secret, challenge.nonce(), clientNonce, w.nextStep()),
                    w.proof())) {
                throw new IOException("the server at " + address + " could not prove it knows the run's secret: "
                        + "not this run's parameter server");
            }
            if (integrity == FrameIntegrity.MAC) {
                frames.seal(SessionKeys.derive(SessionKeys.PS, secret, challenge.nonce(), clientNonce), false,
                        "the parameter server at " + address);
            }
            return w.nextStep();
        }
        if (reply instanceof PsMessage.Reject r) {
            throw new IOException("the parameter server at " + address + " rejected " + hello + ": " + r.reason());
        }
        throw new IOException("unexpected reply to " + hello + ": " + reply);
    }

    public void send(PsMessage message) throws IOException {
        frames.write(message);
    }

    public PsMessage receive() throws IOException {
        try {
            return frames.read(maxTensorLength);
        } catch (SocketTimeoutException e) {
            throw new IOException("no message from the parameter server at " + address + " within "
                    + socket.getSoTimeout() / 1000 + " s; raise cluster.stepTimeoutSeconds if steps are that slow", e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debug("closing {} at the handshake deadline: {}", address, e.toString());
        }
    }
}

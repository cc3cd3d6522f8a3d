package org.sparkdnn.ps.peer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.Intake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.SessionKeys;
import org.sparkdnn.ps.Watchdog;
import org.sparkdnn.ps.peer.PeerMesh.Identity;

/**
 * How the peer mesh's connections are set up: every pair of workers has one connection, opened by the higher index
 * and authenticated both ways before anything is allocated for it (the acceptor's challenge, the connector's Hello
 * with an HMAC of the run's secret under a label of its own, the acceptor's proof). Each whole handshake, on either
 * side, has one deadline (a watchdog closes a connection that overruns it, however it trickles its bytes).
 * Handshakes run concurrently, at most 2k + 8 at once; a new connection beyond that closes the oldest unauthenticated
 * one (the {@link Intake} rule the parameter server follows too). {@link PeerMesh} runs the collectives over the
 * connections this returns.
 */
final class MeshConnections {
    private static final Logger LOG = LoggerFactory.getLogger(MeshConnections.class);

    private MeshConnections() {
    }

    /** Opens the listening socket on {@code bind} (the narrowest address the other workers reach), any free port. */
    static ServerSocketChannel listen(InetAddress bind, int workers, PortRange ports) throws IOException {
        BindException taken = null;
        for (int port = ports.low(); port <= ports.high(); port++) {
            ServerSocketChannel server = ServerSocketChannel.open();
            try {
                // a backlog as the parameter server's: a flood's connects do not crowd out the real peers' SYNs
                server.bind(new InetSocketAddress(bind, port), Math.max(64, workers + 4));
                return server;
            } catch (BindException e) {
                server.close();
                // any port (0): nothing to try next; a range: only a port in use moves on (an address this host
                // does not have, or a privileged port, fails the same way on every port of it)
                if (port == 0 || !String.valueOf(e.getMessage()).contains("in use")) {
                    throw e;
                }
                taken = e;
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        BindException none = new BindException("no free port in " + ports + " on " + bind.getHostAddress()
                + " (cluster.peer.ports): every port of it is in use; each worker on a host listens on one, and a"
                + " retried stage's old listeners may still hold theirs: widen the range");
        none.initCause(taken);
        throw none;
    }
    /**
     * Connects to every lower worker and accepts every higher one. Worker w's connections to lower workers only wait
     * for those workers' own connecting, which ends at worker 0: no cycle, so no deadlock.
     *
     * @param addresses       "host:port" of every worker's listening socket, in worker order (from Spark's
     *                        {@code BarrierTaskContext.allGather})
     * @param timeoutMillis   deadline of connecting and of all higher workers' connecting; later, of every exchange
     */
    static PeerLink[] open(ServerSocketChannel server, String[] addresses, Identity me, int timeoutMillis,
                           FrameIntegrity integrity) throws IOException {
        return open(server, addresses, me, timeoutMillis, Math.min(timeoutMillis, 10_000), integrity);
    }

    /**
     * As above; each whole handshake, either side, must finish within {@code handshakeMillis}. With
     * {@code integrity} mac, every frame on the links carries a MAC under the connection's session keys.
     */
    static PeerLink[] open(ServerSocketChannel server, String[] addresses, Identity me, int timeoutMillis,
                           int handshakeMillis, FrameIntegrity integrity) throws IOException {
        if (addresses.length != me.workers()) {
            throw new IOException(me + ": " + addresses.length + " peer addresses for " + me.workers() + " workers");
        }
        Handshaken[] peers = new Handshaken[me.workers()];
        try (Watchdog watchdog = new Watchdog("peer-watchdog-" + me.worker())) {
            long handshakeNanos = TimeUnit.MILLISECONDS.toNanos(handshakeMillis);
            for (int j = 0; j < me.worker(); j++) {
                peers[j] = dial(addresses[j], j, me, timeoutMillis, watchdog, handshakeNanos);
            }
            try (Intake intake = new Intake(me + "'s peer listener", 2 * me.workers() + 8, handshakeNanos, watchdog)) {
                accept(server, peers, me, timeoutMillis, intake);
            }
        } catch (IOException | RuntimeException e) {
            for (Handshaken h : peers) {
                MeshIo.closeQuietly(h == null ? null : h.channel());
            }
            throw e;
        }
        PeerLink[] links = new PeerLink[peers.length];
        for (Handshaken h : peers) {
            if (h != null) {
                links[h.peer()] = new PeerLink(h.peer(), h.channel(),
                        integrity == FrameIntegrity.MAC ? h.keys() : null, h.peer() > me.worker());
            }
        }
        return links;
    }

    /** Connects to lower worker {@code peer} and runs the connector's side of the handshake within its deadline. */
    private static Handshaken dial(String address, int peer, Identity me, int timeoutMillis, Watchdog watchdog,
                                   long handshakeNanos) throws IOException {
        int colon = address.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)));
        SocketChannel channel = SocketChannel.open();
        Watchdog.Alarm alarm = null;
        try {
            channel.socket().setTcpNoDelay(true);
            channel.socket().connect(target, timeoutMillis);
            alarm = watchdog.after(handshakeNanos, () -> MeshIo.closeQuietly(channel));
            channel.socket().setSoTimeout(timeoutMillis);
            DataInputStream in = new DataInputStream(channel.socket().getInputStream());
            DataOutputStream out = new DataOutputStream(channel.socket().getOutputStream());
            PsMessage first = Frames.read(in, 0);
            if (!(first instanceof PsMessage.Challenge challenge)) {
                throw new IOException("worker " + peer + " at " + address + " sent " + first + " instead of a challenge");
            }
            byte[] nonce = Handshake.nonce();
            Frames.write(out, new PsMessage.Hello(me.jobId(), me.worker(), me.stageAttempt(), me.epoch(), nonce,
                    Handshake.peerHelloMac(me.secret(), challenge.nonce(), nonce, me.jobId(), me.worker(),
                            me.stageAttempt(), me.epoch())));
            PsMessage reply = Frames.read(in, 0);
            if (reply instanceof PsMessage.Reject r) {
                throw new IOException("worker " + peer + " at " + address + " refused " + me + ": " + r.reason());
            }
            if (!(reply instanceof PsMessage.Welcome w) || !Handshake.matches(
                    Handshake.peerWelcomeProof(me.secret(), challenge.nonce(), nonce, peer), w.proof())) {
                throw new IOException("the endpoint at " + address + " could not prove it is worker " + peer
                        + " of this run");
            }
            alarm.close();
            if (alarm.fired()) {
                throw new SocketTimeoutException("closed at the deadline");
            }
            return new Handshaken(channel, peer, SessionKeys.derive(SessionKeys.PEER, me.secret(), challenge.nonce(),
                    nonce));
        } catch (IOException | RuntimeException e) {
            MeshIo.closeQuietly(channel);
            if (e instanceof SocketTimeoutException || alarm != null && alarm.fired()) {
                throw new IOException(me + ": no handshake from worker " + peer + " at " + address + " within "
                        + Math.min(timeoutMillis, TimeUnit.NANOSECONDS.toMillis(handshakeNanos)) + " ms", e);
            }
            throw e;
        } finally {
            if (alarm != null) {
                alarm.close();
            }
        }
    }

    /**
     * Accepts until every higher worker is connected; anything else that connects is refused and closed. Handshakes
     * run concurrently (one short-lived thread each), so a connection that stalls cannot hold up the real peers; the
     * {@code intake} bounds how many are in flight and how long each may take.
     */
    private static void accept(ServerSocketChannel server, Handshaken[] peers, Identity me, int timeoutMillis,
                               Intake intake) throws IOException {
        int missing = me.workers() - 1 - me.worker();
        if (missing == 0) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        BlockingQueue<Handshaken> done = new LinkedBlockingQueue<>();
        ExecutorService handshakes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "peer-handshake-" + me.worker());
            t.setDaemon(true);
            return t;
        });
        server.socket().setSoTimeout(50); // between accepts, take the finished handshakes
        try {
            while (missing > 0) {
                for (Handshaken h; (h = done.poll()) != null; ) {
                    if (h.peer() < 0 || peers[h.peer()] != null) {
                        MeshIo.closeQuietly(h.channel());
                    } else {
                        peers[h.peer()] = h;
                        missing--;
                    }
                }
                if (missing == 0) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException(me + ": " + missing + " higher workers did not connect within "
                            + timeoutMillis / 1000 + " s");
                }
                SocketChannel channel;
                try {
                    channel = server.socket().accept().getChannel();
                } catch (SocketTimeoutException e) {
                    continue;
                }
                intake.admit(channel);
                handshakes.execute(() -> {
                    Handshaken h = authenticate(channel, peers, me, intake);
                    // closed meanwhile (the oldest, or past its deadline): not ours to use, whatever it said
                    done.add(intake.finished(channel) ? h : new Handshaken(channel, -1, null));
                });
            }
        } finally {
            handshakes.shutdownNow();
            for (Handshaken h; (h = done.poll()) != null; ) {
                if (h.peer() < 0 || peers[h.peer()] != h) {
                    MeshIo.closeQuietly(h.channel());
                }
            }
        }
    }

    /** A finished handshake: the peer's worker index (-1 if refused) and the connection's session keys. */
    private record Handshaken(SocketChannel channel, int peer, SessionKeys keys) {
    }

    /** Runs the acceptor's side of the handshake; the peer's worker index is -1 if it is refused. */
    private static Handshaken authenticate(SocketChannel channel, Handshaken[] peers, Identity me, Intake intake) {
        Handshaken refused = new Handshaken(channel, -1, null);
        String from = "?";
        try {
            from = String.valueOf(channel.getRemoteAddress());
            channel.socket().setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(channel.socket().getInputStream());
            DataOutputStream out = new DataOutputStream(channel.socket().getOutputStream());
            byte[] nonce = Handshake.nonce();
            Frames.write(out, new PsMessage.Challenge(nonce));
            PsMessage.Hello h = Frames.readHello(in);
            if (!Handshake.matches(Handshake.peerHelloMac(me.secret(), nonce, h.clientNonce(), h.jobId(), h.worker(),
                    h.stageAttempt(), h.epoch()), h.mac())) {
                intake.refused(from, "authentication failed for worker " + h.worker());
                Frames.write(out, new PsMessage.Reject("authentication failed"));
                return refused;
            }
            String reason = !me.jobId().equals(h.jobId()) ? "another job, not " + me.jobId()
                    : h.epoch() != me.epoch() ? "epoch " + (h.epoch() + 1) + ", not " + (me.epoch() + 1)
                    : h.stageAttempt() != me.stageAttempt() ? "stage attempt " + h.stageAttempt() + ", not "
                    + me.stageAttempt()
                    : h.worker() <= me.worker() || h.worker() >= me.workers() ? "worker " + h.worker()
                    + " does not connect to worker " + me.worker()
                    : peers[h.worker()] != null ? "worker " + h.worker() + " is already connected"
                    : null;
            if (reason != null) {
                LOG.warn("{}: refused {} from {}: {}", me, h, from, reason);
                Frames.write(out, new PsMessage.Reject(reason));
                return refused;
            }
            Frames.write(out, new PsMessage.Welcome(me.worker(), Handshake.peerWelcomeProof(me.secret(), nonce,
                    h.clientNonce(), me.worker())));
            return new Handshaken(channel, h.worker(), SessionKeys.derive(SessionKeys.PEER, me.secret(), nonce,
                    h.clientNonce()));
        } catch (IOException | RuntimeException e) {
            intake.refused(from, e.toString());
            return refused;
        }
    }
}

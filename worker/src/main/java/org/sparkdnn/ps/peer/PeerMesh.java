package org.sparkdnn.ps.peer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.ps.Frames;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;

/**
 * The worker-to-worker connections of one barrier stage attempt ({@code cluster.exchange: peer}) and the exchange
 * that sums the k shard gradients without the driver: a reduce-scatter (worker j owns the j-th contiguous piece of
 * every bucket of the flat gradient ({@link Buckets}) and sums the k copies of it <em>in worker order</em>, so every
 * value is bitwise the driver's sum) followed by an all-gather of the summed pieces. Each worker sends and receives
 * 2·S·(k−1)/k bytes per step.
 *
 * <p>Every pair of workers has one connection, opened by the higher index and authenticated both ways before
 * anything is allocated for it: the acceptor's challenge, the connector's Hello with an HMAC of the run's secret
 * under a label of its own (so it cannot authenticate to the parameter server, nor a parameter-server Hello here),
 * the acceptor's proof. The acceptor takes only a Hello of this job, epoch and stage attempt from a higher worker
 * index it has not seen, within the handshake deadline; handshakes run concurrently, at most 2k + 8 at once (a flood
 * of stalled connections closes its oldest, and cannot hold up the real peers). Tensor frames carry a header (step,
 * bucket · k + piece, value count) that must equal what the receiver expects before it reads the values, straight
 * into ND4J's native buffers (no heap copy either way). Deadlines: handshake reads time out; an exchange is a non-blocking selector loop that fails at the
 * step deadline.
 */
public final class PeerMesh implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerMesh.class);
    private static final int HEADER_BYTES = 16;

    /** Who this worker is: every field is part of the authenticated Hello. */
    public record Identity(String jobId, String secret, int worker, int workers, int stageAttempt, int epoch) {
        @Override
        public String toString() {
            return "worker " + worker + "/" + workers + " (job " + jobId + ", stage attempt " + stageAttempt
                    + ", epoch " + (epoch + 1) + ")";
        }
    }

    private final Identity me;
    private final SocketChannel[] peers;
    private final long timeoutNanos;
    private final Selector selector;
    private final SelectionKey[] keys;
    private final ByteBuffer[] outHeaders;
    private final ByteBuffer[] inHeaders;
    private INDArray[] parts = new INDArray[0];
    private long bytes;

    private PeerMesh(Identity me, SocketChannel[] peers, long timeoutNanos) throws IOException {
        this.me = me;
        this.peers = peers;
        this.timeoutNanos = timeoutNanos;
        this.selector = Selector.open();
        this.keys = new SelectionKey[me.workers()];
        this.outHeaders = new ByteBuffer[me.workers()];
        this.inHeaders = new ByteBuffer[me.workers()];
        for (int i = 0; i < peers.length; i++) {
            outHeaders[i] = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
            inHeaders[i] = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.BIG_ENDIAN);
            if (peers[i] != null) {
                peers[i].configureBlocking(false);
                keys[i] = peers[i].register(selector, 0, i);
            }
        }
    }

    /** Opens the listening socket on {@code bind} (the narrowest address the other workers reach), any free port. */
    public static ServerSocketChannel listen(InetAddress bind, int workers) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(bind, 0), workers + 4);
        return server;
    }

    /**
     * Connects to every lower worker and accepts every higher one. Worker w's connections to lower workers only wait
     * for those workers' own connecting, which ends at worker 0: no cycle, so no deadlock.
     *
     * @param addresses       "host:port" of every worker's listening socket, in worker order (from Spark's
     *                        {@code BarrierTaskContext.allGather})
     * @param timeoutMillis   deadline of connecting and of every handshake read; later, of every exchange
     */
    public static PeerMesh connect(ServerSocketChannel server, String[] addresses, Identity me, int timeoutMillis)
            throws IOException {
        if (addresses.length != me.workers()) {
            throw new IOException(me + ": " + addresses.length + " peer addresses for " + me.workers() + " workers");
        }
        SocketChannel[] peers = new SocketChannel[me.workers()];
        try {
            for (int j = 0; j < me.worker(); j++) {
                peers[j] = dial(addresses[j], j, me, timeoutMillis);
            }
            accept(server, peers, me, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            for (SocketChannel c : peers) {
                closeQuietly(c);
            }
            throw e;
        }
        try {
            return new PeerMesh(me, peers, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        } catch (IOException | RuntimeException e) {
            for (SocketChannel c : peers) {
                closeQuietly(c);
            }
            throw e;
        }
    }

    private static SocketChannel dial(String address, int peer, Identity me, int timeoutMillis) throws IOException {
        int colon = address.lastIndexOf(':');
        InetSocketAddress target = new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1)));
        SocketChannel channel = SocketChannel.open();
        try {
            channel.socket().setTcpNoDelay(true);
            channel.socket().connect(target, timeoutMillis);
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
            return channel;
        } catch (SocketTimeoutException e) {
            closeQuietly(channel);
            throw new IOException(me + ": no handshake from worker " + peer + " at " + address + " within "
                    + timeoutMillis / 1000 + " s", e);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    /**
     * Accepts until every higher worker is connected; anything else that connects is refused and closed. Handshakes
     * run concurrently (one short-lived thread each), so a connection that stalls cannot hold up the real peers; at
     * most {@code 2k + 8} are in flight, and a new connection beyond that closes the oldest one still in flight (a
     * real peer's handshake takes milliseconds: the oldest is the likeliest to be stalling).
     */
    private static void accept(ServerSocketChannel server, SocketChannel[] peers, Identity me, int timeoutMillis)
            throws IOException {
        int missing = me.workers() - 1 - me.worker();
        if (missing == 0) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        int maxInFlight = 2 * me.workers() + 8;
        java.util.Set<SocketChannel> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.Deque<SocketChannel> oldestFirst = new java.util.concurrent.ConcurrentLinkedDeque<>();
        java.util.concurrent.BlockingQueue<Handshaken> done = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.ExecutorService handshakes = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "peer-handshake-" + me.worker());
            t.setDaemon(true);
            return t;
        });
        server.socket().setSoTimeout(50); // between accepts, take the finished handshakes
        try {
            while (missing > 0) {
                for (Handshaken h; (h = done.poll()) != null; ) {
                    if (h.peer() < 0 || peers[h.peer()] != null) {
                        closeQuietly(h.channel());
                    } else {
                        peers[h.peer()] = h.channel();
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
                while (inFlight.size() >= maxInFlight) {
                    SocketChannel oldest = oldestFirst.poll();
                    if (oldest != null && inFlight.remove(oldest)) {
                        LOG.warn("{}: {} peer handshakes in flight; closed the oldest, from {}", me, maxInFlight,
                                remote(oldest));
                        closeQuietly(oldest);
                    }
                }
                inFlight.add(channel);
                oldestFirst.add(channel);
                handshakes.execute(() -> {
                    int peer = authenticate(channel, peers, me, timeoutMillis);
                    // closed as the oldest meanwhile: not ours to use, whatever the handshake said
                    done.add(new Handshaken(channel, inFlight.remove(channel) ? peer : -1));
                });
            }
        } finally {
            handshakes.shutdownNow();
            for (SocketChannel c : inFlight) {
                closeQuietly(c);
            }
            for (Handshaken h; (h = done.poll()) != null; ) {
                if (h.peer() < 0 || peers[h.peer()] != h.channel()) {
                    closeQuietly(h.channel());
                }
            }
        }
    }

    /** A finished acceptor-side handshake: the peer's worker index, or -1 if refused. */
    private record Handshaken(SocketChannel channel, int peer) {
    }

    private static String remote(SocketChannel c) {
        try {
            return String.valueOf(c.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    /** Runs the acceptor's side of the handshake; returns the peer's worker index, or -1 if it is refused. */
    private static int authenticate(SocketChannel channel, SocketChannel[] peers, Identity me, int timeoutMillis) {
        String from = "?";
        try {
            from = String.valueOf(channel.getRemoteAddress());
            channel.socket().setTcpNoDelay(true);
            channel.socket().setSoTimeout(Math.min(timeoutMillis, 10_000));
            DataInputStream in = new DataInputStream(channel.socket().getInputStream());
            DataOutputStream out = new DataOutputStream(channel.socket().getOutputStream());
            byte[] nonce = Handshake.nonce();
            Frames.write(out, new PsMessage.Challenge(nonce));
            PsMessage.Hello h = Frames.readHello(in);
            if (!Handshake.matches(Handshake.peerHelloMac(me.secret(), nonce, h.clientNonce(), h.jobId(), h.worker(),
                    h.stageAttempt(), h.epoch()), h.mac())) {
                LOG.warn("{}: refused a peer connection from {}: authentication failed for {}", me, from, h);
                Frames.write(out, new PsMessage.Reject("authentication failed"));
                return -1;
            }
            String reason = !me.jobId().equals(h.jobId()) ? "job " + h.jobId() + ", not " + me.jobId()
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
                return -1;
            }
            Frames.write(out, new PsMessage.Welcome(me.worker(), Handshake.peerWelcomeProof(me.secret(), nonce,
                    h.clientNonce(), me.worker())));
            return h.worker();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: closed the connection from {} before it authenticated: {}", me, from, e.toString());
            return -1;
        }
    }

    /** Bytes this worker sent and received in exchanges so far. */
    public long bytesMoved() {
        return bytes;
    }

    /** The first value of worker {@code j}'s slice of {@code n} values. */
    public static long sliceStart(long n, int workers, int j) {
        return j * (n / workers) + Math.min(j, n % workers);
    }

    public static long sliceLength(long n, int workers, int j) {
        return n / workers + (j < n % workers ? 1 : 0);
    }

    /**
     * Sums this worker's shard gradient {@code own} with every other worker's of step {@code step}, in worker order,
     * into {@code target} (both flat, whole buffers of the same type and length): afterwards every worker's
     * {@code target} holds the same bytes, which equal {@code g0.dup().addi(g1)…addi(g(k−1))}. One thread: each phase
     * is one selector loop that writes to and reads from all k−1 peers at once, within the step deadline.
     */
    public void allReduce(long step, INDArray own, INDArray target) throws IOException {
        Buckets whole = Buckets.whole(own.length(), me.workers());
        reduceScatter(step, own, target, whole, from -> { });
        allGather(step, target, whole, end -> { });
    }

    /** What the reduce-scatter waits for before it sends a bucket: the gradient's values [from, n) are final. */
    public interface Ready {
        void await(long from) throws IOException;
    }

    /** What the all-gather reports after each bucket: values [0, end) are gathered. */
    public interface Gathered {
        void upTo(long end);
    }

    /** The ranges this worker owns of {@code layout}: the pieces it sums and, with owner slices, updates. */
    public List<long[]> owned(Buckets layout) {
        return layout.owned(me.worker());
    }

    /**
     * The first half of {@link #allReduce}: afterwards this worker's pieces of {@code target} ({@link #owned}) hold
     * the k workers' {@code own} of those pieces summed in worker order; the rest of {@code target} is unchanged.
     * Bucket by bucket, last bucket first, each after {@code ready} says the backward pass has finished it (so the
     * exchange of the late layers' gradients runs while the early layers' backward still computes). {@code own} and
     * {@code target} may be the same array.
     */
    public void reduceScatter(long step, INDArray own, INDArray target, Buckets layout, Ready ready)
            throws IOException {
        long n = own.length();
        int k = me.workers();
        int w = me.worker();
        if (n != target.length() || own.dataType() != target.dataType() || layout.n() != n
                || layout.workers() != k) {
            throw new IllegalArgumentException("gradient of " + n + " " + own.dataType() + " values, target "
                    + target.length() + " " + target.dataType() + ", " + layout);
        }
        if (k == 1) {
            ready.await(0);
            if (own != target) {
                target.assign(own);
            }
            return;
        }
        try {
            INDArray ownFlat = flat(own);
            INDArray targetFlat = flat(target);
            long longest = layout.maxPiece();
            if (parts.length != k || parts[0].length() != longest || parts[0].dataType() != own.dataType()) {
                parts = new INDArray[k];
                for (int i = 0; i < k; i++) {
                    parts[i] = Nd4j.createUninitialized(own.dataType(), Math.max(1, longest));
                }
            }
            ByteBuffer[] out = new ByteBuffer[k];
            ByteBuffer[] in = new ByteBuffer[k];
            long[] inLength = new long[k];
            int[] expected = new int[k];
            for (int b = layout.count() - 1; b >= 0; b--) {
                ready.await(layout.start(b));
                long start = layout.pieceStart(b, w);
                long length = layout.pieceLength(b, w);
                // piece j of my bucket b to worker j; every worker's copy of my piece in; sum in worker order
                for (int j = 0; j < k; j++) {
                    if (j != w) {
                        out[j] = frame(j, step, b * k + j, ownFlat, layout.pieceStart(b, j), layout.pieceLength(b, j));
                        in[j] = region(parts[j], 0, length);
                        inLength[j] = length;
                        expected[j] = b * k + w;
                    }
                }
                transfer(step, expected, out, in, inLength, System.nanoTime() + timeoutNanos);
                if (length == 0) {
                    continue;
                }
                INDArray mine = targetFlat.get(NDArrayIndex.interval(start, start + length));
                INDArray[] terms = new INDArray[k];
                for (int i = 0; i < k; i++) {
                    terms[i] = parts[i].get(NDArrayIndex.interval(0, length));
                }
                terms[w].assign(ownFlat.get(NDArrayIndex.interval(start, start + length))); // target may be own
                mine.assign(terms[0]);
                for (int i = 1; i < k; i++) {
                    mine.addi(terms[i]);
                }
            }
        } catch (IOException e) {
            throw failed(step, e);
        }
    }

    /**
     * The second half of {@link #allReduce}: this worker's pieces of {@code values} to every other worker, every
     * other worker's pieces into place, bucket by bucket, first bucket first, each reported to {@code gathered} —
     * afterwards {@code values} is the same on every worker.
     */
    public void allGather(long step, INDArray values, Buckets layout, Gathered gathered) throws IOException {
        int k = me.workers();
        int w = me.worker();
        long n = values.length();
        if (layout.n() != n || layout.workers() != k) {
            throw new IllegalArgumentException(n + " values, " + layout);
        }
        if (k == 1) {
            gathered.upTo(n);
            return;
        }
        try {
            INDArray flat = flat(values);
            ByteBuffer[] out = new ByteBuffer[k];
            ByteBuffer[] in = new ByteBuffer[k];
            long[] inLength = new long[k];
            int[] expected = new int[k];
            for (int b = 0; b < layout.count(); b++) {
                for (int j = 0; j < k; j++) {
                    if (j != w) {
                        out[j] = frame(j, step, b * k + w, flat, layout.pieceStart(b, w), layout.pieceLength(b, w));
                        inLength[j] = layout.pieceLength(b, j);
                        in[j] = region(flat, layout.pieceStart(b, j), inLength[j]);
                        expected[j] = b * k + j;
                    }
                }
                transfer(step, expected, out, in, inLength, System.nanoTime() + timeoutNanos);
                gathered.upTo(layout.end(b));
            }
        } catch (IOException e) {
            throw failed(step, e);
        }
    }

    private IOException failed(long step, IOException e) {
        close();
        return new IOException(me + ", step " + step + ": the exchange with the other workers failed (a worker "
                + "was lost, or it passed cluster.stepTimeoutSeconds): " + e.getMessage(), e);
    }

    /**
     * A flat view of an array that covers its whole buffer in order (the frames move its native bytes): a network's
     * {@code params()} is such a view of its flat parameters.
     */
    private static INDArray flat(INDArray a) {
        if (a.offset() != 0 || a.data().offset() != 0 || a.data().length() != a.length() || a.ordering() != 'c'
                || a.elementWiseStride() != 1) {
            throw new IllegalArgumentException("the exchange needs whole-buffer arrays");
        }
        return a.reshape(a.length());
    }

    /** Values [from, from + count) of a whole-buffer array as a byte buffer over its native memory. */
    private static ByteBuffer region(INDArray values, long from, long count) {
        int width = values.dataType().width();
        ByteBuffer body = values.data().asNio().duplicate();
        body.limit((int) ((from + count) * width)).position((int) (from * width));
        return body;
    }

    /** The frame {@code id} to {@code peer}, values [from, from + length) of {@code values}: its header, then them. */
    private ByteBuffer frame(int peer, long step, int id, INDArray values, long from, long length) {
        outHeaders[peer].clear();
        outHeaders[peer].putLong(step).putInt(id).putInt((int) length).flip();
        return region(values, from, length);
    }

    /**
     * Writes every {@code out[p]} (after its header) and reads every {@code in[p]} (after a header that must announce
     * step {@code step}, frame {@code expected[p]} (bucket · k + piece) and {@code inLength[p]} values, else nothing
     * more is read), all peers at once, until done or {@code deadline}.
     */
    private void transfer(long step, int[] expected, ByteBuffer[] out, ByteBuffer[] in, long[] inLength, long deadline)
            throws IOException {
        int k = me.workers();
        boolean[] headerIn = new boolean[k];
        int pending = 0;
        for (int p = 0; p < k; p++) {
            if (keys[p] != null) {
                inHeaders[p].clear();
                keys[p].interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                pending += 2;
            }
        }
        while (pending > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("the exchange of step " + step + " did not finish within "
                        + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
            }
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            for (SelectionKey key : selector.selectedKeys()) {
                int p = (Integer) key.attachment();
                SocketChannel channel = peers[p];
                if (key.isValid() && key.isWritable()) {
                    long wrote = outHeaders[p].hasRemaining()
                            ? channel.write(new ByteBuffer[] {outHeaders[p], out[p]}) : channel.write(out[p]);
                    bytes += wrote;
                    if (!outHeaders[p].hasRemaining() && !out[p].hasRemaining()) {
                        key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                        pending--;
                    }
                }
                if (key.isValid() && key.isReadable()) {
                    ByteBuffer into = headerIn[p] ? in[p] : inHeaders[p];
                    int read = channel.read(into);
                    if (read < 0) {
                        throw new java.io.EOFException("worker " + p + " closed the connection");
                    }
                    bytes += read;
                    if (!headerIn[p] && !inHeaders[p].hasRemaining()) {
                        inHeaders[p].flip();
                        long gotStep = inHeaders[p].getLong();
                        int gotSlice = inHeaders[p].getInt();
                        int gotLength = inHeaders[p].getInt();
                        if (gotStep != step || gotSlice != expected[p] || gotLength != inLength[p]) {
                            throw new IOException("worker " + p + " sent step " + gotStep + ", frame " + gotSlice
                                    + ", " + gotLength + " values; expected step " + step + ", frame " + expected[p]
                                    + ", " + inLength[p] + " values");
                        }
                        headerIn[p] = true;
                    }
                    if (headerIn[p] && !in[p].hasRemaining()) {
                        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                        pending--;
                    }
                }
            }
            selector.selectedKeys().clear();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing a peer connection: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        for (SocketChannel c : peers) {
            closeQuietly(c);
        }
        closeQuietly(selector);
    }

    /** For messages: never the secret. */
    @Override
    public String toString() {
        return "PeerMesh(" + me + ")";
    }
}

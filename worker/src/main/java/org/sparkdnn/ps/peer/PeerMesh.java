package org.sparkdnn.ps.peer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.FrameIntegrityException;

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
 * index it has not seen, within the whole-handshake deadline; handshakes run concurrently, at most 2k + 8 at once (a
 * flood of stalled connections closes its oldest, and cannot hold up the real peers: {@code ps.Intake}). Tensor
 * frames carry a header (step, bucket · k + piece, value count) that must equal what the receiver expects before it
 * reads the values, straight into ND4J's native buffers (no heap copy either way), and with
 * {@code cluster.frameIntegrity: mac} a MAC under the connection's session keys that must check out before the
 * exchange returns ({@link PeerLink}). Deadlines: a watchdog closes a
 * handshake that overruns its deadline; an exchange is a non-blocking selector loop that fails at the step deadline.
 */
public final class PeerMesh implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PeerMesh.class);

    /** Who this worker is: every field is part of the authenticated Hello. */
    public record Identity(String jobId, String secret, int worker, int workers, int stageAttempt, int epoch) {
        @Override
        public String toString() {
            return "worker " + worker + "/" + workers + " (job " + jobId + ", stage attempt " + stageAttempt
                    + ", epoch " + (epoch + 1) + ")";
        }
    }

    private final Identity me;
    private final PeerLink[] links;
    private final long timeoutNanos;
    private final Selector selector;
    private final SelectionKey[] keys;
    private final MacLane macs;
    private INDArray[] parts = new INDArray[0];

    private PeerMesh(Identity me, PeerLink[] links, long timeoutNanos) throws IOException {
        this.me = me;
        this.links = links;
        this.timeoutNanos = timeoutNanos;
        this.selector = Selector.open();
        this.keys = new SelectionKey[me.workers()];
        this.macs = new MacLane("peer-mac-" + me.worker());
        for (PeerLink link : links) {
            if (link != null) {
                link.channel().configureBlocking(false);
                keys[link.peer()] = link.channel().register(selector, 0, link);
            }
        }
    }

    /** Opens the listening socket on {@code bind} (the narrowest address the other workers reach), any free port. */
    public static ServerSocketChannel listen(InetAddress bind, int workers) throws IOException {
        return MeshConnections.listen(bind, workers, PortRange.ANY);
    }

    /**
     * Opens the listening socket on {@code bind} on the first free port of {@code ports} ({@code cluster.peer.ports},
     * for firewalls that open a known range); fails naming the setting when none is free.
     */
    public static ServerSocketChannel listen(InetAddress bind, int workers, PortRange ports) throws IOException {
        return MeshConnections.listen(bind, workers, ports);
    }

    /**
     * Connects to every lower worker and accepts every higher one, each connection authenticated both ways
     * ({@link MeshConnections}), and returns the mesh over them.
     *
     * @param addresses       "host:port" of every worker's listening socket, in worker order
     * @param timeoutMillis   deadline of connecting and of every handshake read; later, of every exchange
     */
    public static PeerMesh connect(ServerSocketChannel server, String[] addresses, Identity me, int timeoutMillis)
            throws IOException {
        return connect(server, addresses, me, timeoutMillis, FrameIntegrity.MAC);
    }

    /** As above; {@code integrity}: whether every frame carries a MAC ({@code cluster.frameIntegrity}). */
    public static PeerMesh connect(ServerSocketChannel server, String[] addresses, Identity me, int timeoutMillis,
                                   FrameIntegrity integrity) throws IOException {
        PeerLink[] links = MeshConnections.open(server, addresses, me, timeoutMillis, integrity);
        try {
            return new PeerMesh(me, links, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
        } catch (IOException | RuntimeException e) {
            for (PeerLink link : links) {
                MeshIo.closeQuietly(link);
            }
            throw e;
        }
    }

    /** Bytes this worker sent and received in exchanges so far. */
    public long bytesMoved() {
        long bytes = 0;
        for (PeerLink link : links) {
            bytes += link == null ? 0 : link.bytes();
        }
        return bytes;
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
            INDArray ownFlat = MeshIo.flat(own);
            INDArray targetFlat = MeshIo.flat(target);
            long longest = layout.maxPiece();
            if (parts.length != k || parts[0].length() != longest || parts[0].dataType() != own.dataType()) {
                parts = new INDArray[k];
                for (int i = 0; i < k; i++) {
                    parts[i] = Nd4j.createUninitialized(own.dataType(), Math.max(1, longest));
                }
            }
            for (int b = layout.count() - 1; b >= 0; b--) {
                ready.await(layout.start(b));
                long start = layout.pieceStart(b, w);
                long length = layout.pieceLength(b, w);
                // piece j of my bucket b to worker j; every worker's copy of my piece in; sum in worker order
                for (int j = 0; j < k; j++) {
                    if (j != w) {
                        long piece = layout.pieceLength(b, j);
                        links[j].send(step, b * k + j, piece, MeshIo.region(ownFlat, layout.pieceStart(b, j), piece));
                        links[j].expect(step, b * k + w, length, MeshIo.region(parts[j], 0, length), macs);
                    }
                }
                transfer(step);
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
            INDArray flat = MeshIo.flat(values);
            for (int b = 0; b < layout.count(); b++) {
                long mine = layout.pieceLength(b, w);
                for (int j = 0; j < k; j++) {
                    if (j != w) {
                        links[j].send(step, b * k + w, mine, MeshIo.region(flat, layout.pieceStart(b, w), mine));
                        long theirs = layout.pieceLength(b, j);
                        links[j].expect(step, b * k + j, theirs, MeshIo.region(flat, layout.pieceStart(b, j), theirs),
                                macs);
                    }
                }
                transfer(step);
                gathered.upTo(layout.end(b));
            }
        } catch (IOException e) {
            throw failed(step, e);
        }
    }

    /**
     * Every worker's {@code values} of collective {@code pass} of step {@code step}, in worker order (this worker's own
     * included): the small in-step exchange of synchronized BatchNorm's statistics. Its frames carry id −1 − pass, never
     * a bucket's, and the same header check: a frame of another pass or length is refused before its values are read.
     * Every worker's vector of a pass has the same length.
     */
    public List<double[]> allGatherValues(long step, int pass, double[] values) throws IOException {
        int k = me.workers();
        int w = me.worker();
        double[][] all = new double[k][];
        all[w] = values;
        if (k == 1) {
            return List.of(all);
        }
        int id = -1 - pass;
        ByteBuffer mine = ByteBuffer.allocate(Math.multiplyExact(values.length, Double.BYTES));
        mine.asDoubleBuffer().put(values);
        ByteBuffer[] in = new ByteBuffer[k];
        for (int j = 0; j < k; j++) {
            if (j != w) {
                in[j] = ByteBuffer.allocate(Math.multiplyExact(values.length, Double.BYTES));
                links[j].send(step, id, values.length, mine.duplicate());
                links[j].expect(step, id, values.length, in[j], macs);
            }
        }
        try {
            transfer(step);
        } catch (IOException e) {
            throw failed(step, e);
        }
        for (int j = 0; j < k; j++) {
            if (j != w) {
                in[j].flip();
                all[j] = new double[values.length];
                in[j].asDoubleBuffer().get(all[j]);
            }
        }
        return List.of(all);
    }

    private IOException failed(long step, IOException e) {
        close();
        if (e instanceof FrameIntegrityException) {
            LOG.warn("{}, step {}: {}", me, step, e.getMessage());
        }
        return new IOException(me + ", step " + step + ": the exchange with the other workers failed (a worker "
                + "was lost, or it passed cluster.stepTimeoutSeconds, or a frame failed its integrity check): "
                + e.getMessage(), e);
    }

    /**
     * Writes every link's frame and reads every link's expected frame ({@link PeerLink#send}, {@link PeerLink#expect}),
     * all peers at once, until done or the step deadline.
     */
    private void transfer(long step) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        int pending = 0;
        for (SelectionKey key : keys) {
            if (key != null) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
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
                PeerLink link = (PeerLink) key.attachment();
                if (key.isValid() && key.isWritable() && link.write()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
                    pending--;
                }
                if (key.isValid() && key.isReadable() && link.read()) {
                    key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
                    pending--;
                }
            }
            selector.selectedKeys().clear();
        }
        for (PeerLink link : links) {
            if (link != null) {
                link.awaitVerified(deadline);
            }
        }
    }

    @Override
    public void close() {
        for (PeerLink link : links) {
            MeshIo.closeQuietly(link);
        }
        MeshIo.closeQuietly(selector);
        macs.close();
    }

    /** For messages: never the secret. */
    @Override
    public String toString() {
        return "PeerMesh(" + me + ")";
    }
}

package org.sparkdnn.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.FrameIntegrity;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;
import org.sparkdnn.ps.peer.PeerMesh;
import org.sparkdnn.ps.server.ParameterServer;

/**
 * The two exchanges of the {@code sync} engine alone, without compute, on loopback, side by side: the driver's
 * parameter server (parameters out to k workers, k gradients back, through {@code Frames} streams) versus the peer
 * all-reduce ({@code PeerMesh}: reduce-scatter + all-gather, native buffers straight to the socket). Prints ms per
 * exchange (medians of interleaved repetitions) and each path's software rate: the bytes its busiest host handles
 * (sends plus receives) per second — the {@code SOFTWARE_BYTES_PER_S} of {@code bench/cost-model}. On one machine
 * every "host" shares the same cores and memory bus, so this is a floor for what separate hosts would do.
 *
 * <p>Usage: {@code ExchangeBenchmark WORKERS REPS PARAMS...}
 */
public final class ExchangeBenchmark {
    private static final String JOB = "bench-exchange";

    private ExchangeBenchmark() {
    }

    /** The exchange benchmarks' arguments: K REPS SIZE…. */
    record Args(int k, int reps, long[] sizes) {
        static Args of(String[] args) {
            return new Args(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
                    Arrays.stream(args).skip(2).mapToLong(Long::parseLong).toArray());
        }
    }

    public static void main(String[] args) throws Exception {
        Args a = Args.of(args);
        int k = a.k();
        int reps = a.reps();
        long[] sizes = a.sizes();
        System.out.printf("exchange on loopback, k = %d, medians of %d interleaved repetitions%n", k, reps);
        System.out.printf("%12s %12s %12s %10s %16s %16s%n", "parameters", "driver ms", "peer ms", "peer/driver",
                "driver GB/s/host", "peer GB/s/host");
        for (long size : sizes) {
            double[] driver = new double[reps];
            double[] peer = new double[reps];
            try (DriverPath d = new DriverPath(k, size, FrameIntegrity.MAC);
                 PeerPath p = new PeerPath(k, size, FrameIntegrity.MAC)) {
                d.exchange(0); // warm-up
                p.exchange(0);
                for (int r = 0; r < reps; r++) {
                    long start = System.nanoTime();
                    d.exchange(r + 1);
                    driver[r] = (System.nanoTime() - start) / 1e6;
                    start = System.nanoTime();
                    p.exchange(r + 1);
                    peer[r] = (System.nanoTime() - start) / 1e6;
                }
            }
            double dm = median(driver);
            double pm = median(peer);
            double s = 4.0 * size;
            double driverBytes = 2.0 * k * s; // through the driver: k gradients in, k parameter vectors out
            double peerBytes = 2 * 2 * s * (k - 1) / k; // per worker: sent and received, both phases
            System.out.printf("%12d %12.2f %12.2f %10.2f %16.2f %16.2f%n", size, dm, pm, pm / dm,
                    driverBytes / (dm / 1e3) / 1e9, peerBytes / (pm / 1e3) / 1e9);
        }
        System.exit(0);
    }

    /** A parameter server and k workers answering each Params with a gradient of the same length. */
    static final class DriverPath implements AutoCloseable {
        private final ParameterServer ps;
        private final ExecutorService workers;
        private final INDArray params;

        DriverPath(int k, long size, FrameIntegrity integrity) throws Exception {
            String secret = Handshake.newSecret();
            ps = new ParameterServer(JOB, secret, k, size, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    integrity, 60);
            ps.beginEpoch(0, 0);
            params = Nd4j.rand(DataType.FLOAT, size);
            workers = Executors.newFixedThreadPool(k);
            for (int w = 0; w < k; w++) {
                int worker = w;
                workers.submit(() -> {
                    try (PsClient c = PsClient.connect("127.0.0.1", ps.port(), 10_000, 60_000, size)) {
                        c.register(JOB, secret, worker, 0, 0, integrity);
                        INDArray gradient = Nd4j.rand(DataType.FLOAT, size);
                        while (true) {
                            PsMessage m = c.receive();
                            if (!(m instanceof PsMessage.Params p)) {
                                return null;
                            }
                            c.send(new PsMessage.Gradient(JOB, worker, 0, p.step(), 0, 0, 0, gradient));
                        }
                    }
                });
            }
            ps.awaitWorkers(0, () -> false);
        }

        void exchange(long step) throws Exception {
            ps.step(step, 0, 0, params, null);
        }

        @Override
        public void close() {
            ps.endEpoch();
            ps.close();
            workers.shutdownNow();
        }
    }

    /** k connected meshes; one exchange = every worker's all-reduce, run at once. */
    static final class PeerPath implements AutoCloseable {
        private final List<PeerMesh> meshes = new ArrayList<>();
        private final ExecutorService pool;
        private final INDArray[] own;
        private final INDArray[] target;

        PeerPath(int k, long size, FrameIntegrity integrity) throws Exception {
            pool = Executors.newFixedThreadPool(k);
            meshes.addAll(connectMeshes(k, JOB, pool, integrity));
            own = new INDArray[k];
            target = new INDArray[k];
            for (int w = 0; w < k; w++) {
                own[w] = Nd4j.rand(DataType.FLOAT, size);
                target[w] = Nd4j.createUninitialized(DataType.FLOAT, size);
            }
        }

        void exchange(long step) throws Exception {
            List<Future<?>> runs = new ArrayList<>();
            for (int w = 0; w < meshes.size(); w++) {
                int worker = w;
                runs.add(pool.submit(() -> {
                    meshes.get(worker).allReduce(step, own[worker], target[worker]);
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        }

        @Override
        public void close() {
            meshes.forEach(PeerMesh::close);
            pool.shutdownNow();
        }
    }

    /** k meshes of one run on loopback, connected on {@code pool} (k threads). */
    static List<PeerMesh> connectMeshes(int k, String job, ExecutorService pool) throws Exception {
        return connectMeshes(k, job, pool, FrameIntegrity.MAC);
    }

    /** As above, the frames with or without MACs. */
    static List<PeerMesh> connectMeshes(int k, String job, ExecutorService pool, FrameIntegrity integrity)
            throws Exception {
        ServerSocketChannel[] servers = new ServerSocketChannel[k];
        String[] addresses = new String[k];
        for (int w = 0; w < k; w++) {
            servers[w] = PeerMesh.listen(InetAddress.getLoopbackAddress(), k);
            addresses[w] = "127.0.0.1:" + servers[w].socket().getLocalPort();
        }
        String secret = Handshake.newSecret();
        List<Future<PeerMesh>> connecting = new ArrayList<>();
        for (int w = 0; w < k; w++) {
            PeerMesh.Identity me = new PeerMesh.Identity(job, secret, w, k, 0, 0);
            ServerSocketChannel server = servers[w];
            connecting.add(pool.submit(() -> PeerMesh.connect(server, addresses, me, 60_000, integrity)));
        }
        List<PeerMesh> meshes = new ArrayList<>();
        for (Future<PeerMesh> f : connecting) {
            meshes.add(f.get());
        }
        for (ServerSocketChannel s : servers) {
            s.close();
        }
        return meshes;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}

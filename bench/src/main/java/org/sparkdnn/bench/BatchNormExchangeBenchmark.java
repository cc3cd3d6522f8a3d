package org.sparkdnn.bench;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.client.PsClient;
import org.sparkdnn.ps.peer.PeerMesh;
import org.sparkdnn.ps.server.ParameterServer;

/**
 * The in-step collective of synchronized BatchNorm alone, without compute, on loopback, k workers in this JVM: one
 * collective (each worker's statistics vector of 3 + 2·C doubles out, the merged vector back) through the parameter
 * server ({@code exchange: driver}: a step with P collectives before its gradients, minus a step with none, over P)
 * and through the peer mesh ({@code exchange: peer}: {@code PeerMesh.allGatherValues} + the worker-order merge on
 * every worker). A BatchNorm layer runs two collectives per training step (forward statistics, backward sums), so it
 * costs twice the printed time per step, plus the wait for the slowest worker, which no exchange avoids.
 *
 * <p>Usage: {@code BatchNormExchangeBenchmark WORKERS REPS CHANNELS...}
 */
public final class BatchNormExchangeBenchmark {
    private static final String JOB = "bench-batchnorm";
    private static final int PASSES = 20;

    private BatchNormExchangeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int k = Integer.parseInt(args[0]);
        int reps = Integer.parseInt(args[1]);
        int[] channels = Arrays.stream(args).skip(2).mapToInt(Integer::parseInt).toArray();
        System.out.printf("BatchNorm collective on loopback, k = %d, medians of %d interleaved repetitions%n", k, reps);
        System.out.printf("%10s %16s %16s %24s %24s%n", "channels", "driver ms/coll.", "peer ms/coll.",
                "driver ms/layer/step", "peer ms/layer/step");
        for (int c : channels) {
            double[] driver = new double[reps];
            double[] peer = new double[reps];
            try (DriverPath d = new DriverPath(k, c); PeerPath p = new PeerPath(k, c)) {
                d.step(0, PASSES); // warm-up
                d.step(1, 0);
                p.collectives(0, PASSES);
                long step = 2;
                for (int r = 0; r < reps; r++) {
                    long start = System.nanoTime();
                    d.step(step++, PASSES);
                    long withPasses = System.nanoTime() - start;
                    start = System.nanoTime();
                    d.step(step++, 0);
                    long without = System.nanoTime() - start;
                    driver[r] = (withPasses - without) / 1e6 / PASSES;
                    start = System.nanoTime();
                    p.collectives(step++, PASSES);
                    peer[r] = (System.nanoTime() - start) / 1e6 / PASSES;
                }
            }
            double dm = ExchangeBenchmark.median(driver);
            double pm = ExchangeBenchmark.median(peer);
            System.out.printf("%10d %16.3f %16.3f %24.3f %24.3f%n", c, dm, pm, 2 * dm, 2 * pm);
        }
        System.exit(0);
    }

    /** A statistics vector of a forward collective of {@code channels} channels, worker {@code w}'s. */
    private static double[] vector(int channels, int w) {
        double[] v = BatchNormExchange.vector(0, true, 1000 + w, channels);
        for (int i = BatchNormExchange.HEADER; i < v.length; i++) {
            v[i] = i * 0.5 + w;
        }
        return v;
    }

    /** A parameter server of a 1-parameter model; its k workers run each step's collectives, then send a gradient. */
    private static final class DriverPath implements AutoCloseable {
        private final ParameterServer ps;
        private final ExecutorService workers;
        private final long size;
        private volatile int passes;

        DriverPath(int k, int channels) throws Exception {
            String secret = Handshake.newSecret();
            // bounded like a real model's: a BatchNorm layer of C channels has 4·C parameters
            size = 4L * channels;
            ps = new ParameterServer(JOB, secret, k, size, InetAddress.getLoopbackAddress(), 60);
            ps.beginEpoch(0, 0);
            workers = Executors.newFixedThreadPool(k);
            for (int w = 0; w < k; w++) {
                int worker = w;
                workers.submit(() -> {
                    try (PsClient c = PsClient.connect("127.0.0.1", ps.port(), 10_000, 60_000, 4L * channels)) {
                        c.register(JOB, secret, worker, 0, 0);
                        double[] mine = vector(channels, worker);
                        while (true) {
                            PsMessage m = c.receive();
                            if (!(m instanceof PsMessage.Params p)) {
                                return null;
                            }
                            for (int pass = 0; pass < passes; pass++) {
                                c.send(new PsMessage.BatchNormStats(JOB, worker, 0, p.step(), pass, mine));
                                c.receive();
                            }
                            c.send(new PsMessage.Gradient(JOB, worker, 0, p.step(), 0, 0, 0,
                                    Nd4j.zeros(p.params().dataType(), p.params().length())));
                        }
                    }
                });
            }
            ps.awaitWorkers(0, () -> false);
        }

        void step(long step, int collectives) throws Exception {
            passes = collectives;
            ps.step(step, 0, 0, Nd4j.zeros(DataType.FLOAT, size), null);
        }

        @Override
        public void close() {
            ps.endEpoch();
            ps.close();
            workers.shutdownNow();
        }
    }

    /** k connected meshes; one round = every worker's all-gather of its vector and merge, at once. */
    private static final class PeerPath implements AutoCloseable {
        private final List<PeerMesh> meshes = new ArrayList<>();
        private final ExecutorService pool;
        private final int channels;

        PeerPath(int k, int channels) throws Exception {
            this.channels = channels;
            pool = Executors.newFixedThreadPool(k);
            meshes.addAll(ExchangeBenchmark.connectMeshes(k, JOB, pool));
        }

        void collectives(long step, int count) throws Exception {
            List<Future<?>> runs = new ArrayList<>();
            for (int w = 0; w < meshes.size(); w++) {
                int worker = w;
                runs.add(pool.submit(() -> {
                    double[] mine = vector(channels, worker);
                    for (int pass = 0; pass < count; pass++) {
                        BatchNormExchange.merge(meshes.get(worker).allGatherValues(step, pass, mine));
                    }
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

}

package org.sparkdnn.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.checkpoint.Manifest;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;
import org.sparkdnn.model.IoShape;
import org.sparkdnn.model.ModelFactory;

/**
 * Benchmark (not a test; run by {@code bench/checkpoints}): a ~100 MB model checkpointed to a real HDFS
 * (MiniDFSCluster) through {@link CheckpointStore} versus a raw {@code FSDataOutputStream} write of the same bytes,
 * interleaved over rounds; plus the training pause (serialising the model at a step boundary) that remains when the
 * write runs in the background.
 */
public final class CheckpointBenchmark {
    private CheckpointBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int width = args.length > 1 ? Integer.parseInt(args[1]) : 2800;
        ConfigLoader loader = new ConfigLoader();
        RunConfig config = loader.parse("bench", "data: {train: x}\nmodel: {layers: [{units: " + width + "}, {units: "
                + width + "}, {units: " + width + "}, {units: " + width + "}]}", List.of());
        ComputationGraph net = new ModelFactory(config.model(), config.optimizer(), 42, 100)
                .build(new IoShape(784, 10), Storage.withDefaults());
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, Files.createTempDirectory("bench-dfs").toString());
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            cluster.waitActive();
            FileSystem fs = cluster.getFileSystem();
            CheckpointStore store = new CheckpointStore(cluster.getURI() + "/bench/checkpoints",
                    cluster.getConfiguration(0), loader.json());
            double[] snapshot = new double[rounds];
            double[] serialise = new double[rounds];
            double[] viaStore = new double[rounds];
            double[] raw = new double[rounds];
            long size = 0;
            for (int r = 0; r < rounds; r++) {
                long ts = System.nanoTime();
                ComputationGraph copy = net.clone();
                snapshot[r] = (System.nanoTime() - ts) / 1e6;
                long t0 = System.nanoTime();
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                ModelSerializer.writeModel(copy, bytes, true);
                byte[] model = bytes.toByteArray();
                size = model.length;
                serialise[r] = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                try (FSDataOutputStream out = fs.create(new Path("/bench/raw-" + r), false)) {
                    out.write(model);
                    out.hsync();
                }
                raw[r] = (System.nanoTime() - t1) / 1e6;
                long t2 = System.nanoTime();
                store.write(new Manifest(Manifest.FORMAT, r + 1L, 0, r, 42L, null, Map.of(),
                        JsonNodeFactory.instance.objectNode(), Map.of(), Map.of(), Map.of()),
                        Map.of(CheckpointStore.MODEL, model));
                viaStore[r] = (System.nanoTime() - t2) / 1e6;
                System.out.printf("round %d/%d: snapshot %.0f ms, serialise %.0f ms, raw write %.0f ms, checkpoint write "
                        + "%.0f ms%n", r + 1, rounds, snapshot[r], serialise[r], raw[r], viaStore[r]);
            }
            double mb = size / 1e6;
            double rawMs = median(raw);
            double storeMs = median(viaStore);
            System.out.printf("%nmodel: %d parameters, %.1f MB zip (updater state included); medians of %d rounds%n",
                    net.numParams(), mb, rounds);
            System.out.printf("%-34s %9s %9s%n", "", "ms", "MB/s");
            System.out.printf("%-34s %9.0f %9.1f%n", "raw FSDataOutputStream (hsync)", rawMs, mb / rawMs * 1000);
            System.out.printf("%-34s %9.0f %9.1f   (%.2fx raw time: temp dir, sha256, manifest, rename, latest)%n",
                    "CheckpointStore.write", storeMs, mb / storeMs * 1000, storeMs / rawMs);
            System.out.printf("%-34s %9.0f             (background: DL4J's zip deflates the parameters)%n",
                    "serialise snapshot (ModelSerializer)", median(serialise));
            System.out.printf("%-34s %9.0f             (the training pause per checkpoint)%n",
                    "snapshot at the step boundary", median(snapshot));
        } finally {
            cluster.shutdown(true);
        }
        System.exit(0);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}

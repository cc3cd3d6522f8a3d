package org.sparkdnn.engine;

import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.ps.Handshake;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Splits;
import org.sparkdnn.ps.PsMessage;
import org.sparkdnn.ps.server.ParameterServer;
import org.sparkdnn.ps.server.WorkerLostException;
import org.sparkdnn.task.EpochTask;
import org.sparkdnn.task.WorkerSpec;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The {@code sync} engine: per epoch one barrier stage of k long-lived tasks (followed by a shuffle, so Spark can
 * retry the whole stage); per step the driver-hosted parameter server sends the parameters, gathers the k raw shard
 * gradients, sums them in worker order and applies DL4J's updater once. A lost worker fails only the current step,
 * which is retried with the re-registered workers of Spark's next stage attempt.
 */
public final class SyncEngine implements StepEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final JavaSparkContext sc;
    private final RunConfig config;
    private final ComputationGraph master;
    private final MasterUpdate update;
    private final ParameterServer ps;
    private final EpochData data;
    private final WorkerSpec spec;
    private final String jobGroup;
    private final java.util.concurrent.ExecutorService jobThread = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sync-epoch-job");
        t.setDaemon(true);
        return t;
    });
    private int epoch = -1;
    private CompletableFuture<Long> job;
    private long steps;
    private long exchangeNanos;
    private long computeNanos;
    private long applyNanos;
    private long epochStartNanos;

    public SyncEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master, Splits splits,
                      ExampleMatrix train) {
        this(sc, config, master, train.batch(new int[] {0}), splits.classes(), splits.train().features(),
                splits.train().count(), ps -> EpochData.of(config.cluster().dataPlacement(), sc, splits.train(),
                        org.sparkdnn.data.BatchPlan.of(config, splits.train().count()), config.cluster().workers()));
    }

    /** {@code data.read: executors}: the training rows are already cached on the executors. */
    public SyncEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master, ExecutorData data) {
        this(sc, config, master, data.trainRows(new int[] {0},
                        org.sparkdnn.model.Dl4jMapping.dataType(config.model().dataType())).batch(new int[] {0}),
                data.classes(), data.shape().inputs(), data.trainCount(),
                ps -> EpochData.onExecutors(data.train(), org.sparkdnn.data.BatchPlan.of(config, data.trainCount()),
                        config.cluster().workers()));
    }

    private SyncEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master,
                       org.nd4j.linalg.dataset.DataSet firstRow, int classes, int features, int trainCount,
                       java.util.function.Function<ParameterServer, EpochData> epochData) {
        this.sc = sc;
        this.config = config;
        this.master = master;
        this.update = new MasterUpdate(master, firstRow);
        String jobId = "run-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        // local mode: the executors are threads of this JVM, so the parameter server listens on loopback only
        String host = sc.isLocal() ? "127.0.0.1" : sc.getConf().get("spark.driver.host", "127.0.0.1");
        String bind = sc.isLocal() ? "127.0.0.1" : sc.getConf().get("spark.driver.bindAddress", host);
        String secret = Handshake.newSecret(); // per run, never Spark's own: a leak of it reveals nothing else
        try {
            this.ps = new ParameterServer(jobId, secret, config.cluster().workers(), master.numParams(),
                    InetAddress.getByName(bind), config.cluster().stepTimeoutSeconds());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the parameter server on " + host, e);
        }
        this.spec = WorkerSpecs.of(config, master, classes, features, trainCount, jobId, host, ps.port(), secret);
        try {
            this.data = epochData.apply(ps);
        } catch (RuntimeException e) {
            ps.close();
            throw e;
        }
        this.jobGroup = "sparkdnn-" + jobId;
    }

    /** Rows of each worker's shard of a batch of {@code rows} (BatchPlan.shard's sizes): what its gradient covers. */
    private int[] shardRows(int rows) {
        int k = config.cluster().workers();
        int[] sizes = new int[k];
        for (int w = 0; w < k; w++) {
            sizes[w] = rows / k + (w < rows % k ? 1 : 0);
        }
        return sizes;
    }

    @Override
    public double step(int stepEpoch, int batch, int[] rows) {
        if (stepEpoch != epoch) {
            long start = System.nanoTime();
            startEpoch(stepEpoch);
            long took = System.nanoTime() - start;
            epochStartNanos += took;
            LOG.info("epoch {}: {} workers ready in {} ms", stepEpoch + 1, config.cluster().workers(), took / 1_000_000);
        }
        long step = master.getIterationCount();
        try {
            while (true) {
                try {
                    long start = System.nanoTime();
                    PsMessage.Gradient[] gradients = ps.step(step, batch, master.params(), shardRows(rows.length));
                    long exchanged = System.nanoTime();
                    double loss = apply(gradients, rows.length, stepEpoch);
                    exchangeNanos += exchanged - start;
                    applyNanos += System.nanoTime() - exchanged;
                    steps++;
                    return loss;
                } catch (WorkerLostException e) {
                    LOG.warn("step {} not applied: {}; waiting for Spark to retry the stage", step, e.getMessage());
                    ps.awaitWorkers(step, job::isCompletedExceptionally);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted at step " + step, e);
        } catch (ClusterException e) {
            throw new ClusterException(e.getMessage() + jobFailure(), e);
        }
    }

    private double apply(PsMessage.Gradient[] gradients, int batchSize, int stepEpoch) {
        List<INDArray> parts = new ArrayList<>(gradients.length);
        double lossSum = 0;
        long slowest = 0;
        for (PsMessage.Gradient g : gradients) {
            parts.add(g.gradient().castTo(master.params().dataType()));
            lossSum += g.lossSum();
            slowest = Math.max(slowest, g.computeNanos());
        }
        computeNanos += slowest;
        update.applyInWorkerOrder(parts, batchSize, stepEpoch);
        return lossSum / batchSize;
    }

    private void startEpoch(int newEpoch) {
        if (epoch >= 0) {
            endEpoch(epoch);
        }
        epoch = newEpoch;
        ps.beginEpoch(newEpoch, master.getIterationCount());
        String description = String.format("train epoch %d/%d, sync, %d workers", newEpoch + 1,
                config.training().epochs(), config.cluster().workers());
        sc.setJobGroup(jobGroup, description, true);
        ClassTag<Long> tag = ClassTag$.MODULE$.apply(Long.class);
        RDD<Long> barrier = data.epoch(newEpoch).rdd().barrier().mapPartitions(new EpochTask(spec, newEpoch), false, tag);
        JavaRDD<Long> retryable = JavaRDD.fromRDD(barrier, tag).repartition(1);
        job = CompletableFuture.supplyAsync(() -> {
            // Spark's job group is thread-local: set it on the thread that submits the job, so cancelJobGroup works
            sc.setJobGroup(jobGroup, description, true);
            return retryable.count();
        }, jobThread);
        try {
            ps.awaitWorkers(master.getIterationCount(), job::isCompletedExceptionally);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for workers", e);
        } catch (ClusterException e) {
            throw new ClusterException(e.getMessage() + jobFailure(), e);
        }
    }

    private String jobFailure() {
        if (job == null || !job.isCompletedExceptionally()) {
            return "";
        }
        try {
            job.join();
            return "";
        } catch (RuntimeException e) {
            return ". Spark: " + e.getMessage() + " (stage attempts are bounded by cluster.maxStageAttempts = "
                    + config.cluster().maxStageAttempts() + ")";
        }
    }

    @Override
    public void endEpoch(int ended) {
        if (job == null) {
            return;
        }
        ps.endEpoch();
        try {
            job.get(config.cluster().stepTimeoutSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while ending epoch " + (ended + 1), e);
        } catch (ExecutionException | TimeoutException e) {
            sc.cancelJobGroup(jobGroup);
            throw new ClusterException("the Spark job of epoch " + (ended + 1) + " did not finish cleanly: " + e, e);
        } finally {
            job = null;
            epoch = -1;
        }
    }

    @Override
    public ComputationGraph network() {
        return master;
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return update.norms();
    }

    @Override
    public Map<String, Object> stats() {
        double n = Math.max(1, steps);
        Map<String, Object> stats = new java.util.LinkedHashMap<>();
        stats.put("steps", steps);
        stats.put("msExchangePerStep", exchangeNanos / 1e6 / n);
        stats.put("msWorkerComputePerStep", computeNanos / 1e6 / n);
        stats.put("msTransferAndWaitPerStep", (exchangeNanos - computeNanos) / 1e6 / n);
        stats.put("msDriverApplyPerStep", applyNanos / 1e6 / n);
        stats.put("secondsEpochStart", epochStartNanos / 1e9);
        stats.put("psBytesPerStep", ps.bytesMoved() / n);
        return stats;
    }

    @Override
    public void close() {
        try {
            if (job != null) {
                ps.closeAll();
                sc.cancelJobGroup(jobGroup);
            }
        } finally {
            ps.close();
            data.close();
            jobThread.shutdownNow();
        }
    }
}

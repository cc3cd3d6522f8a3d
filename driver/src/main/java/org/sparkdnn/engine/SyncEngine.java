package org.sparkdnn.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.engine.exchange.Exchanges;
import org.sparkdnn.engine.exchange.GradientExchange;
import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.ps.Handshake;
import org.sparkdnn.ps.server.ParameterServer;
import org.sparkdnn.ps.server.WorkerLostException;
import org.sparkdnn.step.GlobalUpdate;
import org.sparkdnn.task.RunRows;
import org.sparkdnn.task.WorkerSpec;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The {@code sync} engine: the Spark side of exact data-parallel training. Per epoch — or, with
 * {@code cluster.dataPlacement: broadcast} (the default), once for the whole run — one barrier stage of k
 * long-lived tasks (followed by a shuffle, so Spark can retry the whole stage) that register with the driver-hosted
 * parameter server. What a step does is the {@link GradientExchange}'s ({@code cluster.exchange}); this class starts
 * the stage, waits for its workers, and when a worker is lost waits for Spark's next stage attempt and lets the
 * exchange go on from there; it finishes the stage after the last epoch (or when the run stops early, at
 * {@link #close}). A run-wide stage's tasks derive each epoch's shards from the broadcast rows and the batch plan
 * ({@link RunRows}), so an epoch starts without a new Spark job, new connections or new shards; after Spark retried
 * it, the next epoch starts a new stage (Spark counts a stage's failed attempts until it succeeds, so this keeps
 * {@code cluster.maxStageAttempts} a per-epoch budget). Other placements send the rows per epoch, one stage each.
 */
public final class SyncEngine implements StepEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final JavaSparkContext sc;
    private final RunConfig config;
    private final ComputationGraph master;
    private final ParameterServer ps;
    private final GradientExchange exchange;
    private final EpochData data;
    private final RunRows run; // non-null: one stage for the whole run
    private final WorkerSpec spec;
    private final String jobGroup;
    private final ExecutorService jobThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sync-epoch-job");
        t.setDaemon(true);
        return t;
    });
    private int epoch = -1;
    private CompletableFuture<Long> job;
    private long steps;
    private long epochStartNanos;
    private long stages;
    private boolean stageRetried; // Spark retried the running stage: a run-wide one is renewed at the next epoch

    public SyncEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master, EngineInput input) {
        this.sc = sc;
        this.config = config;
        this.master = master;
        String jobId = "run-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(6));
        // local mode: the executors are threads of this JVM, so the parameter server listens on loopback only
        String host = sc.isLocal() ? "127.0.0.1" : sc.getConf().get("spark.driver.host", "127.0.0.1");
        String bind = sc.isLocal() ? "127.0.0.1" : sc.getConf().get("spark.driver.bindAddress", host);
        String secret = Handshake.newSecret(); // per run, never Spark's own: a leak of it reveals nothing else
        try {
            this.ps = new ParameterServer(jobId, secret, config.cluster().workers(), master.numParams(),
                    new InetSocketAddress(InetAddress.getByName(bind), config.cluster().psPort()),
                    config.cluster().frameIntegrity(), config.cluster().stepTimeoutSeconds());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the parameter server on " + host, e);
        }
        try {
            this.exchange = Exchanges.of(config, master, new GlobalUpdate(master, input.firstRow()), ps);
            this.spec = exchange.spec(WorkerSpecs.of(config, master, input, new WorkerSpec.Server(jobId, host,
                    ps.port(), secret, config.cluster().stepTimeoutSeconds() * 1000,
                    config.cluster().frameIntegrity())));
            this.data = input.epochData(sc);
        } catch (RuntimeException e) {
            ps.close();
            throw e;
        }
        this.run = data.runRows();
        this.jobGroup = "sparkdnn-" + jobId;
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
        double loss = retrying(() -> exchange.step(stepEpoch, batch, rows));
        steps++;
        return loss;
    }

    /** A round with the workers, which a lost worker does not fail: it is run again on Spark's next stage attempt. */
    private interface Round<T> {
        T run() throws WorkerLostException, InterruptedException;
    }

    private <T> T retrying(Round<T> round) {
        try {
            while (true) {
                try {
                    return round.run();
                } catch (WorkerLostException e) {
                    stageRetried = true;
                    LOG.warn("step {} not applied: {}; waiting for Spark to retry the stage ({})",
                            exchange.nextStep(), e.getMessage(), exchange.retryPlan());
                    ps.awaitWorkers(master.getIterationCount(), job::isCompletedExceptionally);
                    exchange.workersJoined(config.cluster().workers());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted at step " + exchange.nextStep(), e);
        } catch (ClusterException e) {
            throw new ClusterException(e.getMessage() + jobFailure(), e);
        }
    }

    private void syncMaster() {
        retrying(() -> {
            exchange.syncMaster();
            return null;
        });
    }

    private void startEpoch(int newEpoch) {
        if (run != null && job != null) {
            if (!stageRetried) {
                epoch = newEpoch; // the run-wide stage trains every epoch: nothing to start
                return;
            }
            LOG.info("epoch {}: a new stage, since Spark retried the last one", newEpoch + 1);
            finishStage("the stage retried before epoch " + (newEpoch + 1));
        }
        stageRetried = false;
        if (epoch >= 0) {
            endEpoch(epoch);
        }
        epoch = newEpoch;
        stages++;
        ps.beginEpoch(newEpoch, master.getIterationCount());
        int k = config.cluster().workers();
        String description = run != null
                ? String.format("train epochs %d-%d, sync, %d workers", newEpoch + 1, config.training().epochs(), k)
                : String.format("train epoch %d/%d, sync, %d workers", newEpoch + 1, config.training().epochs(), k);
        sc.setJobGroup(jobGroup, description, true);
        ClassTag<Long> tag = ClassTag$.MODULE$.apply(Long.class);
        JavaPairRDD<Integer, RowBlock> rows = run != null ? noRows(k) : data.epoch(newEpoch);
        RDD<Long> barrier = rows.rdd().barrier().mapPartitions(exchange.task(spec, newEpoch, run), false, tag);
        JavaRDD<Long> retryable = JavaRDD.fromRDD(barrier, tag).repartition(1);
        job = CompletableFuture.supplyAsync(() -> {
            // Spark's job group is thread-local: set it on the thread that submits the job, so cancelJobGroup works
            sc.setJobGroup(jobGroup, description, true);
            return retryable.count();
        }, jobThread);
        try {
            ps.awaitWorkers(master.getIterationCount(), job::isCompletedExceptionally);
            exchange.workersJoined(k);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for workers", e);
        } catch (ClusterException e) {
            throw new ClusterException(e.getMessage() + jobFailure(), e);
        }
    }

    /** k partitions of one empty block each: a run-wide stage's tasks take their rows from {@link RunRows}. */
    private JavaPairRDD<Integer, RowBlock> noRows(int k) {
        List<Tuple2<Integer, RowBlock>> empty = new ArrayList<>(k);
        for (int w = 0; w < k; w++) {
            empty.add(new Tuple2<>(w, new RowBlock(new int[0], new float[0], new float[0], spec.model().features())));
        }
        return sc.parallelizePairs(empty, k);
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
        if (run != null && ended + 1 < config.training().epochs()) {
            epoch = -1; // the run-wide stage goes on; the next step continues it
            return;
        }
        finishStage("epoch " + (ended + 1));
    }

    /** Brings the master up to date, tells the workers to finish and waits for the stage's job to end. */
    private void finishStage(String what) {
        try {
            syncMaster();
            ps.endEpoch();
            job.get(config.cluster().stepTimeoutSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while ending " + what, e);
        } catch (ExecutionException | TimeoutException e) {
            sc.cancelJobGroup(jobGroup);
            throw new ClusterException("the Spark job of " + what + " did not finish cleanly: " + e, e);
        } finally {
            job = null;
            epoch = -1;
        }
    }

    @Override
    public ComputationGraph network() {
        if (job != null) {
            syncMaster();
        }
        return master;
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return exchange.gradientNorms();
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("steps", steps);
        stats.putAll(exchange.stats(steps));
        stats.put("secondsEpochStart", epochStartNanos / 1e9);
        stats.put("sparkStages", stages);
        stats.put("stage", run != null ? "run" : "epoch");
        stats.put("psBytesPerStep", ps.bytesMoved() / (double) Math.max(1, steps));
        return stats;
    }

    @Override
    public void close() {
        try {
            if (job != null && run != null && !job.isDone()) {
                // a run-wide stage outlives a run that stopped early (step limit, early stopping): end it cleanly
                try {
                    ps.endEpoch();
                    job.get(Math.min(10, config.cluster().stepTimeoutSeconds()), TimeUnit.SECONDS);
                    job = null;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    LOG.warn("the run-wide stage did not end cleanly ({}); cancelling it", e.toString());
                }
            }
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

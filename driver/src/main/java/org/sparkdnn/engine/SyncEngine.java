package org.sparkdnn.engine;

import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.step.GlobalUpdate;
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
import org.apache.spark.api.java.JavaPairRDD;
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
import org.sparkdnn.task.PeerEpochTask;
import org.sparkdnn.task.RunRows;
import org.sparkdnn.task.WorkerSpec;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The {@code sync} engine: per epoch one barrier stage of k long-lived tasks (followed by a shuffle, so Spark can
 * retry the whole stage). With {@code cluster.exchange: driver}, per step the driver-hosted parameter server sends
 * the parameters, gathers the k raw shard gradients, sums them in worker order and applies DL4J's updater once; a
 * lost worker fails only the current step, which is retried with the re-registered workers of Spark's next stage
 * attempt. With {@code exchange: peer} the driver sends only the step's batch index: the workers all-reduce their
 * gradients among themselves (summed in worker order, {@code PeerMesh}) and each applies DL4J's updater to its
 * replica; the driver's master catches up ({@link #network()}: worker 0's state, every worker's digest compared)
 * only when it is needed — checkpoints, epoch ends, a diverged loss. A lost worker then rolls the retried stage back
 * to the master's state and replays the steps since, which are deterministic: the result is bitwise the same.
 * With {@code cluster.dataPlacement: broadcast} (the default) the stage lasts the whole run: the tasks derive each
 * epoch's shards from the broadcast rows and the batch plan ({@link RunRows}), so an epoch starts without a new
 * Spark job, new connections or new shards; it ends after the last epoch (or when the run stops early, at
 * {@link #close}). Other placements send the rows per epoch, one stage each.
 */
public final class SyncEngine implements StepEngine {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);

    private final JavaSparkContext sc;
    private final RunConfig config;
    private final ComputationGraph master;
    private final GlobalUpdate update;
    private final ParameterServer ps;
    private final EpochData data;
    private final RunRows run; // non-null: one stage for the whole run
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
    private long stages;
    private boolean stageRetried; // Spark retried the running stage: a run-wide one is renewed at the next epoch
    // exchange: peer
    private final boolean peer;
    private final boolean ownerSlices;
    private final int normsEvery;
    private final java.util.List<String> normNames;
    private final List<PsMessage.Step> sinceSync = new ArrayList<>();
    private boolean restore;
    private Map<String, Double> peerNorms = Map.of();
    private long peerRoundNanos;
    private long peerExchangeNanos;
    private long peerApplyNanos;
    private long syncNanos;
    private long restoreNanos;
    private long syncs;
    private long replayed;

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
        this.update = new GlobalUpdate(master, firstRow);
        this.peer = config.cluster().exchange() == org.sparkdnn.config.Exchange.PEER;
        this.ownerSlices = peer && ownerSlices(config, master);
        this.normsEvery = config.training().gradientNormsEvery();
        this.normNames = List.copyOf(update.computeNorms(1).keySet());
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
        this.spec = WorkerSpecs.of(config, master, classes, features, trainCount, jobId, host, ps.port(), secret,
                ownerSlices);
        try {
            this.data = epochData.apply(ps);
        } catch (RuntimeException e) {
            ps.close();
            throw e;
        }
        this.run = data.runRows();
        this.jobGroup = "sparkdnn-" + jobId;
    }

    /** {@code cluster.peerUpdate} resolved: owner slices unless asked not to or the model needs whole layers. */
    private static boolean ownerSlices(RunConfig config, ComputationGraph master) {
        org.sparkdnn.config.PeerUpdate asked = config.cluster().peerUpdate();
        if (asked == org.sparkdnn.config.PeerUpdate.REPLICATED) {
            return false;
        }
        String why = org.sparkdnn.step.SliceUpdate.unsupported(master);
        if (why == null) {
            return true;
        }
        if (asked == org.sparkdnn.config.PeerUpdate.OWNER) {
            throw new org.sparkdnn.config.ConfigException("cluster.peerUpdate", "owner cannot update this model "
                    + "exactly: " + why + "; use replicated or auto", "owner");
        }
        LOG.info("exchange peer: every worker applies the whole update (owner slices cannot: {})", why);
        return false;
    }

    /** The optimizer-state ranges worker w keeps with owner slices ({@code SliceUpdate.statePieces}). */
    private List<long[]> statePieces(int w) {
        return org.sparkdnn.step.SliceUpdate.statePieces(master, WorkerSpecs.buckets(config, master).owned(w));
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
        if (peer) {
            return peerStep(stepEpoch, batch, rows);
        }
        long step = master.getIterationCount();
        try {
            while (true) {
                try {
                    long start = System.nanoTime();
                    PsMessage.Gradient[] gradients = ps.step(step, stepEpoch, batch, master.params(),
                            shardRows(rows.length));
                    long exchanged = System.nanoTime();
                    double loss = apply(gradients, rows.length, stepEpoch);
                    exchangeNanos += exchanged - start;
                    applyNanos += System.nanoTime() - exchanged;
                    steps++;
                    return loss;
                } catch (WorkerLostException e) {
                    stageRetried = true;
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

    /** The step the next {@code Step} trains: the master's, plus the steps the workers applied since it caught up. */
    private long peerNext() {
        return master.getIterationCount() + sinceSync.size();
    }

    private double peerStep(int stepEpoch, int batch, int[] rows) {
        long step = peerNext();
        boolean norms = normsEvery > 0 && step % normsEvery == 0;
        PsMessage.Step message = new PsMessage.Step(step, stepEpoch, batch, rows.length, norms);
        int[] shards = shardRows(rows.length);
        long start = System.nanoTime();
        long restoring = restoreNanos;
        PsMessage.StepDone[] done = peerRound(() -> ps.round(step, message, PsMessage.StepDone.class,
                (w, d) -> stepDoneFault(w, d, shards[w], norms)));
        peerRoundNanos += System.nanoTime() - start - (restoreNanos - restoring);
        sinceSync.add(message);
        double lossSum = 0;
        long compute = 0;
        long exchange = 0;
        long apply = 0;
        for (PsMessage.StepDone d : done) {
            lossSum += d.lossSum();
            compute = Math.max(compute, d.computeNanos());
            exchange = Math.max(exchange, d.exchangeNanos());
            apply = Math.max(apply, d.applyNanos());
        }
        computeNanos += compute;
        peerExchangeNanos += exchange;
        peerApplyNanos += apply;
        steps++;
        if (norms) {
            Map<String, Double> named = new java.util.LinkedHashMap<>();
            for (int i = 0; i < normNames.size(); i++) {
                named.put(normNames.get(i), done[0].norms().getDouble(i));
            }
            peerNorms = named;
        } else {
            peerNorms = Map.of();
        }
        return lossSum / rows.length;
    }

    private String stepDoneFault(int worker, PsMessage.StepDone d, int shardRows, boolean norms) {
        boolean wantNorms = norms && worker == 0;
        if (d.examples() != shardRows) {
            return "a step of " + d.examples() + " examples for a shard of " + shardRows;
        }
        if (wantNorms != (d.norms() != null) || (wantNorms && d.norms().length() != normNames.size())) {
            return "gradient norms " + (d.norms() == null ? "missing" : "of " + d.norms().length() + " layers")
                    + " where " + (wantNorms ? normNames.size() + " layers'" : "none") + " were due";
        }
        return null;
    }

    /** A round with the workers that a lost worker does not fail: it is retried on Spark's next stage attempt. */
    private interface Round<T> {
        T run() throws WorkerLostException, InterruptedException;
    }

    private <T> T peerRound(Round<T> round) {
        try {
            while (true) {
                try {
                    if (restore) {
                        long start = System.nanoTime();
                        restoreAndReplay();
                        restoreNanos += System.nanoTime() - start;
                        restore = false;
                    }
                    return round.run();
                } catch (WorkerLostException e) {
                    stageRetried = true;
                    LOG.warn("step {} not applied: {}; waiting for Spark to retry the stage, which continues from "
                            + "step {} and replays {} steps", peerNext(), e.getMessage(), master.getIterationCount(),
                            sinceSync.size());
                    ps.awaitWorkers(master.getIterationCount(), job::isCompletedExceptionally);
                    restore = true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted at step " + peerNext(), e);
        } catch (ClusterException e) {
            throw new ClusterException(e.getMessage() + jobFailure(), e);
        }
    }

    /**
     * The workers of a (new) stage attempt continue from the master's state; the steps applied since it caught up
     * are trained again (deterministic: the same batches, dropout masks and sums in worker order).
     */
    private void restoreAndReplay() throws WorkerLostException, InterruptedException {
        long at = master.getIterationCount();
        PsMessage.PeerAddress[] addresses = ps.collect(at, PsMessage.PeerAddress.class,
                (w, a) -> a.address().matches("[^\\s]+:[0-9]{1,5}") ? null : "a malformed peer address " + a.address());
        List<String> mesh = new ArrayList<>();
        for (PsMessage.PeerAddress a : addresses) {
            mesh.add(a.address());
        }
        ps.broadcast(at, new PsMessage.Peers(at, List.copyOf(mesh)));
        ps.broadcast(at, new PsMessage.State("driver", -1, -1, at, master.getEpochCount(), new byte[0],
                master.params(), org.sparkdnn.step.TrainingState.updaterState(master)));
        for (PsMessage.Step s : sinceSync) {
            int[] shards = shardRows(s.batchSize());
            ps.round(s.step(), s, PsMessage.StepDone.class, (w, d) -> stepDoneFault(w, d, shards[w], s.norms()));
            replayed++;
        }
    }

    /**
     * The master takes worker 0's state; every replica's digest must equal it (replicas that drift fail the run).
     * With owner slices the digests cover the parameters (the same on every worker) and each worker sends its slice
     * of the optimizer state, which the master puts together.
     */
    private void catchUp() {
        if (sinceSync.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        long step = peerNext();
        INDArray masterState = org.sparkdnn.step.TrainingState.updaterState(master);
        PsMessage.State[] states = peerRound(() -> ps.round(step, new PsMessage.Fetch(step), PsMessage.State.class,
                (w, s) -> stateFault(w, s, masterState)));
        for (PsMessage.State s : states) {
            if (!java.security.MessageDigest.isEqual(states[0].digest(), s.digest())) {
                throw new ClusterException("replicas drifted apart: worker " + s.worker() + "'s parameters"
                        + (ownerSlices ? "" : " and optimizer state") + " after step " + step + " differ from worker "
                        + "0's (workers on different hardware or ND4J builds?); cluster.exchange: driver keeps a "
                        + "single copy");
            }
        }
        PsMessage.State s0 = states[0];
        INDArray state = s0.updaterState();
        if (ownerSlices && masterState != null) {
            state = masterState.dup().reshape(masterState.length());
            for (int w = 0; w < states.length; w++) {
                if (states[w].updaterState() == null) {
                    continue; // a slice without state (stateFault checked that none was due)
                }
                INDArray slice = states[w].updaterState().reshape(states[w].updaterState().length());
                long at = 0;
                for (long[] piece : statePieces(w)) {
                    long length = piece[1] - piece[0];
                    state.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(piece[0], piece[1]))
                            .assign(slice.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(at, at + length)));
                    at += length;
                }
            }
        }
        try {
            org.sparkdnn.step.TrainingState.restore(master, s0.params(), state, step, s0.epoch());
        } catch (IllegalArgumentException e) {
            throw new ClusterException("worker 0 sent a state that does not fit the model: " + e.getMessage(), e);
        }
        byte[] digest = ownerSlices ? org.sparkdnn.step.TrainingState.parametersDigest(master)
                : org.sparkdnn.step.TrainingState.digest(master);
        if (!java.security.MessageDigest.isEqual(digest, s0.digest())) {
            throw new ClusterException("worker 0's state of step " + step + " does not match its digest");
        }
        sinceSync.clear();
        syncs++;
        syncNanos += System.nanoTime() - start;
    }

    /** What is wrong with worker w's reply to a Fetch, or null. */
    private String stateFault(int w, PsMessage.State s, INDArray masterState) {
        if (w == 0 && s.params() == null) {
            return "a state without parameters";
        }
        if (ownerSlices && masterState != null) {
            long expected = org.sparkdnn.step.SliceUpdate.stateLength(statePieces(w));
            long got = s.updaterState() == null ? 0 : s.updaterState().length();
            if (got != expected || (got > 0 && s.updaterState().dataType() != masterState.dataType())) {
                return "an optimizer-state slice of " + got + (got > 0 ? " " + s.updaterState().dataType() : "")
                        + " values where its slice has " + expected + " " + masterState.dataType();
            }
        }
        return null;
    }

    private void startEpoch(int newEpoch) {
        if (run != null && job != null) {
            if (!stageRetried) {
                epoch = newEpoch; // the run-wide stage trains every epoch: nothing to start
                return;
            }
            // Spark counts a stage's failed attempts until it succeeds (cluster.maxStageAttempts): after a retry, a
            // new stage per epoch keeps the budget per epoch, as with one stage per epoch
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
        scala.Function1<scala.collection.Iterator<scala.Tuple2<Integer, org.sparkdnn.data.RowBlock>>,
                scala.collection.Iterator<Long>> task = peer ? new PeerEpochTask(spec, newEpoch, run)
                : new EpochTask(spec, newEpoch, run);
        JavaPairRDD<Integer, org.sparkdnn.data.RowBlock> rows = run != null ? noRows(k) : data.epoch(newEpoch);
        RDD<Long> barrier = rows.rdd().barrier().mapPartitions(task, false, tag);
        JavaRDD<Long> retryable = JavaRDD.fromRDD(barrier, tag).repartition(1);
        job = CompletableFuture.supplyAsync(() -> {
            // Spark's job group is thread-local: set it on the thread that submits the job, so cancelJobGroup works
            sc.setJobGroup(jobGroup, description, true);
            return retryable.count();
        }, jobThread);
        try {
            ps.awaitWorkers(master.getIterationCount(), job::isCompletedExceptionally);
            restore = peer;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while waiting for workers", e);
        } catch (ClusterException e) {
            throw new ClusterException(e.getMessage() + jobFailure(), e);
        }
    }

    /** k partitions of one empty block each: a run-wide stage's tasks take their rows from {@link RunRows}. */
    private JavaPairRDD<Integer, org.sparkdnn.data.RowBlock> noRows(int k) {
        List<scala.Tuple2<Integer, org.sparkdnn.data.RowBlock>> empty = new ArrayList<>(k);
        for (int w = 0; w < k; w++) {
            empty.add(new scala.Tuple2<>(w, new org.sparkdnn.data.RowBlock(new int[0], new float[0], new float[0],
                    spec.features())));
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

    /** Catches up (peer), tells the workers to finish and waits for the stage's job to end. */
    private void finishStage(String what) {
        try {
            if (peer) {
                catchUp();
            }
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
        if (peer && job != null) {
            catchUp();
        }
        return master;
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return peer ? peerNorms : update.norms();
    }

    @Override
    public Map<String, Object> stats() {
        double n = Math.max(1, steps);
        Map<String, Object> stats = new java.util.LinkedHashMap<>();
        stats.put("steps", steps);
        stats.put("msWorkerComputePerStep", computeNanos / 1e6 / n);
        if (peer) {
            stats.put("exchange", "peer");
            stats.put("peerUpdate", ownerSlices ? "owner" : "replicated");
            stats.put("overlap", WorkerSpecs.overlap(config, master, ownerSlices));
            stats.put("buckets", WorkerSpecs.buckets(config, master).count());
            stats.put("msStepRoundTripPerStep", peerRoundNanos / 1e6 / n);
            stats.put("msPeerExchangePerStep", peerExchangeNanos / 1e6 / n);
            stats.put("msWorkerApplyPerStep", peerApplyNanos / 1e6 / n);
            stats.put("peerBytesPerWorkerPerStep", 2.0 * (config.cluster().workers() - 1) / config.cluster().workers()
                    * master.numParams() * master.params().dataType().width());
            stats.put("secondsStateToWorkers", restoreNanos / 1e9);
            stats.put("catchUps", syncs);
            stats.put("secondsCatchUp", syncNanos / 1e9);
            stats.put("stepsReplayed", replayed);
        } else {
            stats.put("exchange", "driver");
            stats.put("msExchangePerStep", exchangeNanos / 1e6 / n);
            stats.put("msTransferAndWaitPerStep", (exchangeNanos - computeNanos) / 1e6 / n);
            stats.put("msDriverApplyPerStep", applyNanos / 1e6 / n);
        }
        stats.put("secondsEpochStart", epochStartNanos / 1e9);
        stats.put("sparkStages", stages);
        stats.put("stage", run != null ? "run" : "epoch");
        stats.put("psBytesPerStep", ps.bytesMoved() / n);
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

package org.sparkdnn.engine;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ResidualPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.ThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.NoOpResidualPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.residual.ResidualClippingPostProcessor;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.TargetSparsityThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.repartitioner.NoOpRepartitioner;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.ClusterConfig;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.SharedConfig;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.metrics.GradientNorms;
import org.sparkdnn.ps.ClusterException;
import org.sparkdnn.step.ShardGradient;
import org.sparkdnn.task.WorkerShards;
import scala.Tuple2;

/**
 * The {@code shared} and {@code averaging} engines: DL4J's own Spark trainers ({@code SharedTrainingMaster},
 * {@code ParameterAveragingTrainingMaster}) driving the master network through {@link SparkComputationGraph}, one
 * {@code fit} per epoch. The epoch's data is the same as the exact engines': partition w holds worker w's shard of
 * every global batch, in order, one DataSet of B/k examples per global batch.
 *
 * <p>DL4J's waits are unbounded; here every epoch runs in its own thread under {@code cluster.epochTimeoutSeconds}:
 * past it the Spark job group is cancelled, DL4J's parameter server and worker threads are shut down and the run
 * fails with a {@link ClusterException} naming the setting. {@link #close} shuts them down too, so several runs can
 * follow each other in one process.
 */
public final class Dl4jSparkEngine implements EpochEngine {
    private static final Logger LOG = LoggerFactory.getLogger(Dl4jSparkEngine.class);
    /** Aeron refuses to start without it (measured; DESIGN.md): 60 s, in nanoseconds. */
    public static final String AERON_UNBLOCK = "aeron.publication.unblock.timeout";
    public static final String AERON_UNBLOCK_NANOS = "60000000000";

    private final JavaSparkContext sc;
    private final RunConfig config;
    private final ComputationGraph master;
    /** The training rows with these indices, as one DataSet (the norms' batch). */
    private final Function<int[], DataSet> batch;
    private final EpochData data;
    private final ShardSets shardSets;
    private final SparkComputationGraph sparkNet;
    private final String jobGroup;
    private final ExecutorService fitThread;
    private Map<String, Double> norms = Map.of();
    private long fitNanos;
    private long normNanos;
    private int epochs;
    private boolean broken;

    public Dl4jSparkEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master, EngineInput input) {
        this(sc, config, master, input::rows, input.epochData(sc), input.features(), input.trainCount(),
                input.classes());
    }

    private Dl4jSparkEngine(JavaSparkContext sc, RunConfig config, ComputationGraph master,
                            Function<int[], DataSet> batch, EpochData data, int features,
                            int trainCount, int classes) {
        this.sc = sc;
        this.config = config;
        this.master = master;
        this.batch = batch;
        ClusterConfig cluster = config.cluster();
        if (System.getProperty(AERON_UNBLOCK) == null) {
            System.setProperty(AERON_UNBLOCK, AERON_UNBLOCK_NANOS);
        }
        String id = HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
        this.jobGroup = "sparkdnn-" + cluster.engine().key() + "-" + id;
        this.fitThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "dl4j-" + cluster.engine().key() + "-fit-" + id);
            t.setDaemon(true);
            return t;
        });
        this.data = data;
        this.shardSets = new ShardSets(features, trainCount,
                config.training().batchSize(), config.model().loss(), classes, config.model().dataType(),
                cluster.faultInjection().worker(), cluster.faultInjection().stallSeconds());
        TrainingMaster<?, ?> trainingMaster = cluster.engine() == Engine.SHARED ? sharedMaster() : averagingMaster();
        this.sparkNet = new SparkComputationGraph(sc, master, trainingMaster);
    }

    private int perWorker() {
        return config.training().batchSize() / config.cluster().workers();
    }

    private TrainingMaster<?, ?> sharedMaster() {
        SharedConfig shared = config.cluster().shared();
        String controller = shared.controller().orElse(sc.isLocal() ? "127.0.0.1"
                : sc.getConf().get("spark.driver.host", "127.0.0.1"));
        VoidConfiguration voidConf = VoidConfiguration.builder()
                .controllerAddress(controller)
                .networkMask(shared.mask().orElse(sc.isLocal() ? "127.0.0.0/8" : null))
                .build();
        voidConf.setPortSupplier(new AeronPorts(shared.port())); // DL4J takes the controller's port from it too
        return new SharedTrainingMaster.Builder(voidConf, perWorker())
                .batchSizePerWorker(perWorker())
                .workersPerNode(shared.workersPerNode())
                .workerPrefetchNumBatches(shared.prefetchBatches())
                .thresholdAlgorithm(thresholdAlgorithm(shared))
                .residualPostProcessor(residual(shared))
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartitioner(new NoOpRepartitioner())
                .storageLevel(null)
                .rngSeed(config.training().seed())
                .build();
    }

    static ThresholdAlgorithm thresholdAlgorithm(SharedConfig shared) {
        switch (shared.thresholdAlgorithm()) {
            case FIXED:
                return new FixedThresholdAlgorithm(shared.threshold());
            case TARGET_SPARSITY:
                return new TargetSparsityThresholdAlgorithm(shared.threshold(), shared.targetSparsity(),
                        TargetSparsityThresholdAlgorithm.DEFAULT_DECAY_RATE);
            case ADAPTIVE:
            default:
                return new AdaptiveThresholdAlgorithm(shared.threshold());
        }
    }

    static ResidualPostProcessor residual(SharedConfig shared) {
        return shared.residualClip() > 0
                ? new ResidualClippingPostProcessor(shared.residualClip(), shared.residualClipEvery())
                : new NoOpResidualPostProcessor();
    }

    private TrainingMaster<?, ?> averagingMaster() {
        return new ParameterAveragingTrainingMaster.Builder(config.cluster().workers(), perWorker())
                .batchSizePerWorker(perWorker())
                .averagingFrequency(config.cluster().averaging().frequency())
                .saveUpdater(config.cluster().averaging().averageUpdater())
                .workerPrefetchNumBatches(2)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .repartionData(Repartition.Never)
                .storageLevel(StorageLevel.MEMORY_ONLY())
                .rngSeed(config.training().seed())
                .build();
    }

    @Override
    public double fitEpoch(int epoch, List<int[]> batches) {
        if (broken) {
            throw new IllegalStateException("engine " + config.cluster().engine().key() + " failed earlier");
        }
        master.getConfiguration().setIterationCount(epoch * batches.size());
        master.getConfiguration().setEpochCount(epoch);
        JavaRDD<DataSet> epochData = data.epoch(epoch).mapPartitions(shardSets);
        long start = System.nanoTime();
        Future<?> fit = fitThread.submit(() -> {
            sc.setJobGroup(jobGroup, "epoch " + (epoch + 1) + " (" + config.cluster().engine().key() + ")", true);
            try {
                sparkNet.fit(epochData);
            } finally {
                sc.clearJobGroup();
            }
        });
        int timeout = config.cluster().epochTimeoutSeconds();
        try {
            fit.get(timeout, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            abort(fit);
            throw new ClusterException(String.format("engine %s: epoch %d did not finish within "
                    + "cluster.epochTimeoutSeconds=%d; its Spark jobs were cancelled and DL4J's parameter server shut "
                    + "down", config.cluster().engine().key(), epoch + 1, timeout));
        } catch (InterruptedException e) {
            abort(fit);
            Thread.currentThread().interrupt();
            throw new ClusterException("interrupted while training epoch " + (epoch + 1), e);
        } catch (ExecutionException e) {
            abort(fit);
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new ClusterException(String.format("engine %s: epoch %d failed: %s",
                    config.cluster().engine().key(), epoch + 1, cause), cause);
        }
        fitNanos += System.nanoTime() - start;
        epochs++;
        master.getConfiguration().setIterationCount((epoch + 1) * batches.size());
        long normStart = System.nanoTime();
        DataSet last = batch.apply(batches.get(batches.size() - 1));
        ShardGradient g = ShardGradient.compute(master, last);
        norms = GradientNorms.perLayer(master.gradient(), last.numExamples());
        normNanos += System.nanoTime() - normStart;
        return g.lossSum() / g.examples();
    }

    /** Cancels the epoch's Spark jobs, waits briefly for the fit thread, then shuts DL4J's threads down. */
    private void abort(Future<?> fit) {
        broken = true;
        sc.cancelJobGroup(jobGroup);
        fit.cancel(true);
        try {
            fitThread.shutdownNow();
            if (!fitThread.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("DL4J's fit thread did not stop within 30 s of its jobs being cancelled (a daemon thread; "
                        + "it does not keep the process alive)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Dl4jShutdown.all(config.cluster().engine());
    }

    @Override
    public ComputationGraph network() {
        return master;
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return norms;
    }

    @Override
    public Map<String, Object> stats() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("epochs", epochs);
        s.put("msPerEpochFit", epochs == 0 ? 0.0 : fitNanos / 1e6 / epochs);
        s.put("msPerEpochGradientNorms", epochs == 0 ? 0.0 : normNanos / 1e6 / epochs);
        s.put("batchSizePerWorker", perWorker());
        return s;
    }

    @Override
    public void close() {
        fitThread.shutdownNow();
        try {
            data.close();
        } finally {
            Dl4jShutdown.all(config.cluster().engine());
        }
    }

    /** Worker w's partition of an epoch as one DataSet (B/k examples) per global batch, in order. */
    static final class ShardSets implements FlatMapFunction<Iterator<Tuple2<Integer, RowBlock>>, DataSet> {
        private final int features;
        private final int examples;
        private final int batchSize;
        private final Loss loss;
        private final int classes;
        private final NumericType dataType;
        private final int stallWorker;
        private final int stallSeconds;

        ShardSets(int features, int examples, int batchSize, Loss loss, int classes, NumericType dataType,
                  int stallWorker, int stallSeconds) {
            this.stallWorker = stallWorker;
            this.stallSeconds = stallSeconds;
            this.features = features;
            this.examples = examples;
            this.batchSize = batchSize;
            this.loss = loss;
            this.classes = classes;
            this.dataType = dataType;
        }

        @Override
        public Iterator<DataSet> call(Iterator<Tuple2<Integer, RowBlock>> blocks) throws InterruptedException {
            TaskContext task = TaskContext.get();
            if (stallSeconds > 0 && task != null && task.partitionId() == stallWorker && task.attemptNumber() == 0) {
                Thread.sleep(stallSeconds * 1000L); // cluster.faultInjection: a stuck worker
            }
            WorkerShards shards = WorkerShards.build(blocks, features, examples, batchSize, loss, classes, dataType);
            List<DataSet> sets = new ArrayList<>(shards.batches());
            for (int b = 0; b < shards.batches(); b++) {
                shards.shard(b).ifPresent(sets::add);
            }
            return sets.iterator();
        }
    }
}

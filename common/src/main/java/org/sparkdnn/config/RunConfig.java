package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;

/** The whole configuration of a training run: the root of the YAML file. */
public record RunConfig(ModelConfig model, OptimizerConfig optimizer, DataConfig data, TrainingConfig training,
                        ClusterConfig cluster, CheckpointConfig checkpoint, OutputConfig output) {
    public RunConfig {
        model = orDefault(model, ModelConfig::defaults);
        optimizer = orDefault(optimizer, OptimizerConfig::defaults);
        if (data == null) {
            throw new ConfigException("data", "must be set", "missing");
        }
        training = orDefault(training, TrainingConfig::defaults);
        cluster = orDefault(cluster, ClusterConfig::defaults);
        checkpoint = orDefault(checkpoint, CheckpointConfig::defaults);
        output = orDefault(output, OutputConfig::defaults);
        if (model.loss() == Loss.SOFTMAX_CROSS_ENTROPY && data.numClasses() != null && data.numClasses() < 2) {
            throw new ConfigException("data.numClasses", "must be >= 2 for softmaxCrossEntropy", data.numClasses());
        }
        if (!training.fullBatch() && cluster.engine() != Engine.LOCAL && cluster.workers() > training.batchSize()) {
            throw new ConfigException("cluster.workers", "must be <= training.batchSize ("
                    + training.batchSize() + ") so that every worker gets examples", cluster.workers());
        }
        if (data.shuffle() == DataShuffle.PARTITIONED) {
            if (!training.fullBatch() && training.batchSize() % cluster.workers() != 0) {
                throw new ConfigException("cluster.workers", "must divide training.batchSize (" + training.batchSize()
                        + ") with data.shuffle partitioned: every batch takes batchSize / workers rows from each "
                        + "worker's home rows", cluster.workers());
            }
            if (cluster.engine().dl4j()) {
                throw new ConfigException("data.shuffle", "partitioned is for the exact engines (local, sync, "
                        + "reference)", "partitioned");
            }
        }
        if (!cluster.engine().dl4j() && cluster.faultInjection().stallSeconds() > 0) {
            throw new ConfigException("cluster.faultInjection.stallSeconds", "is supported by engines shared and "
                    + "averaging only", cluster.faultInjection().stallSeconds());
        }
        if (cluster.exchange() == Exchange.PEER && cluster.engine() != Engine.SYNC) {
            throw new ConfigException("cluster.exchange", "peer is an exchange of engine sync; engine is "
                    + cluster.engine().key(), "peer");
        }
        if (cluster.peer().update() != PeerUpdate.AUTO && cluster.exchange() != Exchange.PEER) {
            throw new ConfigException("cluster.peer.update", "applies to cluster.exchange: peer; exchange is "
                    + cluster.exchange().key(), cluster.peer().update().key());
        }
        if (cluster.peer().update() == PeerUpdate.OWNER && optimizer.clipNorm() > 0) {
            throw new ConfigException("cluster.peer.update", "owner cannot clip per layer (optimizer.clipNorm "
                    + optimizer.clipNorm() + "): no worker holds a layer's whole gradient; use replicated or auto",
                    "owner");
        }
        if (cluster.engine().dl4j()) {
            dl4jEngineLimits(cluster, training, checkpoint, optimizer);
        }
    }

    /** What DL4J's Spark trainers cannot do: they train whole epochs, on equal per-worker minibatches. */
    private static void dl4jEngineLimits(ClusterConfig cluster, TrainingConfig training, CheckpointConfig checkpoint,
                                         OptimizerConfig optimizer) {
        String engine = "engine " + cluster.engine().key();
        if (!training.fullBatch() && training.batchSize() % cluster.workers() != 0) {
            throw new ConfigException("cluster.workers", "must divide training.batchSize (" + training.batchSize()
                    + ") with " + engine + ": DL4J's trainers fit equal minibatches of batchSize / workers",
                    cluster.workers());
        }
        ScheduleConfig schedule = optimizer.schedule();
        if (cluster.engine() == Engine.SHARED
                && (schedule.type() != ScheduleType.CONSTANT || schedule.warmupSteps() > 0)) {
            throw new ConfigException("optimizer.schedule." + (schedule.type() != ScheduleType.CONSTANT ? "type"
                    : "warmupSteps"), "is not supported with engine shared: DL4J's workers step the schedule by "
                    + "their own iteration count (measured: k per global batch, carried over between runs in one JVM), "
                    + "not by the global step; use a constant learning rate, or engine averaging",
                    schedule.type() != ScheduleType.CONSTANT ? schedule.type().key() : schedule.warmupSteps());
        }
        if (training.maxSteps() > 0) {
            throw new ConfigException("training.maxSteps", "is not supported with " + engine
                    + " (it trains whole epochs); use training.epochs", training.maxSteps());
        }
        if (checkpoint.everySteps() > 0) {
            throw new ConfigException("checkpoint.everySteps", "is not supported with " + engine
                    + " (it checkpoints at epoch boundaries); use checkpoint.everyEpochs", checkpoint.everySteps());
        }
        if (cluster.faultInjection().step() >= 0) {
            throw new ConfigException("cluster.faultInjection.step", "is supported by the sync engine only (" + engine
                    + ": faultInjection.stallSeconds)", cluster.faultInjection().step());
        }
    }

    /**
     * {@code training.batchSize: all} resolved to the training split's {@code rows} (and checked against the cluster
     * as any batch size); the config itself when the batch size is a number.
     */
    public RunConfig withFullBatch(int rows) {
        if (!training.fullBatch()) {
            return this;
        }
        try {
            return new RunConfig(model, optimizer, data, training.withBatchSize(rows), cluster, checkpoint, output);
        } catch (ConfigException e) {
            throw new ConfigException("training.batchSize", "all = " + rows + " training rows: " + e.getMessage(),
                    "all");
        }
    }

    public RunConfig withOutputDir(String dir) {
        return new RunConfig(model, optimizer, data, training, cluster, checkpoint, new OutputConfig(dir));
    }
}

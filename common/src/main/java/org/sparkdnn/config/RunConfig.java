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
        if (cluster.engine() != Engine.LOCAL && cluster.workers() > training.batchSize()) {
            throw new ConfigException("cluster.workers", "must be <= training.batchSize ("
                    + training.batchSize() + ") so that every worker gets examples", cluster.workers());
        }
    }

    public RunConfig withOutputDir(String dir) {
        return new RunConfig(model, optimizer, data, training, cluster, checkpoint, new OutputConfig(dir));
    }
}

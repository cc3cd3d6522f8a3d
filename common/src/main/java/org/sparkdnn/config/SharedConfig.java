package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import java.util.Optional;

/**
 * Settings of the {@code shared} engine: DL4J's {@code SharedTrainingMaster} (asynchronous, threshold-encoded
 * gradient sharing over its Aeron parameter server).
 *
 * @param thresholdAlgorithm how the encoding threshold is chosen (default {@code adaptive})
 * @param threshold          the initial (adaptive, targetSparsity) or fixed threshold (default 1e-3)
 * @param targetSparsity     {@code targetSparsity} only: the fraction of values sent per update (default 1e-3)
 * @param residualClip       clip the residual (the part of the gradient not yet sent) to this multiple of the
 *                           threshold (default 5; 0: no residual post-processing)
 * @param residualClipEvery  apply that clipping every N iterations (default 5)
 * @param port               the UDP port of DL4J's parameter server (Aeron) on the driver (default 40123);
 *                           executors listen on port + 1 (so one executor per host)
 * @param controllerAddress  the driver's address as executors reach it (default: spark.driver.host, or 127.0.0.1
 *                           in local mode)
 * @param networkMask        executors pick the local address in this network for their Aeron transport, e.g.
 *                           {@code 10.0.0.0/16} (default: spark.driver.host's /32 in local mode, else none)
 * @param workersPerNode     DL4J ParallelWrapper threads per executor (default 1: measured to deadlock with 2)
 * @param prefetchBatches    minibatches each worker prefetches (default 2)
 */
public record SharedConfig(ThresholdAlgorithmType thresholdAlgorithm, Double threshold, Double targetSparsity,
                           Double residualClip, Integer residualClipEvery, Integer port, String controllerAddress,
                           String networkMask, Integer workersPerNode, Integer prefetchBatches) {
    public SharedConfig {
        thresholdAlgorithm = orDefault(thresholdAlgorithm, ThresholdAlgorithmType.ADAPTIVE);
        threshold = positive("threshold", orDefault(threshold, 1e-3));
        targetSparsity = orDefault(targetSparsity, 1e-3);
        if (!(targetSparsity > 0 && targetSparsity <= 1)) {
            throw new ConfigException("targetSparsity", "must be in (0, 1]", targetSparsity);
        }
        residualClip = Checks.nonNegative("residualClip", orDefault(residualClip, 5.0));
        residualClipEvery = positive("residualClipEvery", orDefault(residualClipEvery, 5));
        port = orDefault(port, 40123);
        if (port < 1024 || port > 65000) {
            throw new ConfigException("port", "must be in [1024, 65000]", port);
        }
        workersPerNode = positive("workersPerNode", orDefault(workersPerNode, 1));
        prefetchBatches = positive("prefetchBatches", orDefault(prefetchBatches, 2));
        if (networkMask != null && !networkMask.matches("\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}")) {
            throw new ConfigException("networkMask", "must be an IPv4 network like 10.0.0.0/16", networkMask);
        }
    }

    public Optional<String> controller() {
        return Optional.ofNullable(controllerAddress).filter(s -> !s.isBlank());
    }

    public Optional<String> mask() {
        return Optional.ofNullable(networkMask);
    }

    public static SharedConfig defaults() {
        return new SharedConfig(null, null, null, null, null, null, null, null, null, null);
    }
}

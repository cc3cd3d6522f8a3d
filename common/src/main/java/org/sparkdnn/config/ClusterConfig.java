package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.mapOrEmpty;
import static org.sparkdnn.config.Checks.notBlank;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

import java.util.Map;

/**
 * Where and how training runs.
 *
 * @param engine             local (default), sync, reference (exact); shared, averaging (DL4J's trainers)
 * @param master             Spark master for scripts/trainer (default {@code local[2]}); spark-submit's
 *                           {@code --master} wins when given
 * @param workers            k, the number of shards of each global batch (default 2)
 * @param threadsPerWorker   ND4J/OpenMP threads per worker task (default 1); keep workers per executor ×
 *                           threadsPerWorker ≤ executor cores
 * @param maxStageAttempts   Spark stage attempts before the run fails (default 4)
 * @param stepTimeoutSeconds deadline of one training step (default 600)
 * @param spark              extra Spark settings ({@code spark.*} keys)
 * @param faultInjection     testing aid: make a worker fail once (see {@link FaultInjection})
 * @param dataPlacement      how training rows reach executors: {@code broadcast} (default: one copy per executor,
 *                           only indices move per epoch) or {@code shuffle} (1/k per executor, a shuffle per epoch)
 * @param gpusPerWorker      GPUs per worker task (default 0): sets {@code spark.task.resource.gpu.amount}; tasks
 *                           bind ND4J to the GPU Spark assigns (needs the {@code cuda} build and a discovery script)
 * @param epochTimeoutSeconds {@code shared}/{@code averaging}: deadline of one epoch's Spark job (default 3600); past
 *                           it the job is cancelled and the run fails
 * @param shared             settings of the {@code shared} engine
 * @param averaging          settings of the {@code averaging} engine
 * @param exchange           {@code sync}: how gradients are summed, {@code peer} (default with engine sync) or
 *                           {@code driver} (see {@link Exchange})
 * @param peer               settings of {@code exchange: peer} (see {@link PeerConfig})
 * @param psPort             the TCP port of the {@code sync} engine's parameter server on the driver (default 0: any
 *                           free port); fixed, for a firewall rule that lets executors reach it
 * @param frameIntegrity     {@code mac} (default) or {@code off}: whether every frame after the handshake, parameter
 *                           server and peer mesh, carries a MAC (see {@link FrameIntegrity})
 */
public record ClusterConfig(Engine engine, String master, Integer workers, Integer threadsPerWorker,
                            Integer maxStageAttempts, Integer stepTimeoutSeconds, Map<String, String> spark,
                            FaultInjection faultInjection, DataPlacement dataPlacement, Integer gpusPerWorker,
                            Integer epochTimeoutSeconds, SharedConfig shared, AveragingConfig averaging,
                            Exchange exchange, PeerConfig peer, Integer psPort, FrameIntegrity frameIntegrity) {
    public ClusterConfig {
        engine = orDefault(engine, Engine.LOCAL);
        master = notBlank("master", orDefault(master, "local[2]"));
        workers = positive("workers", orDefault(workers, 2));
        threadsPerWorker = positive("threadsPerWorker", orDefault(threadsPerWorker, 1));
        maxStageAttempts = positive("maxStageAttempts", orDefault(maxStageAttempts, 4));
        stepTimeoutSeconds = positive("stepTimeoutSeconds", orDefault(stepTimeoutSeconds, 600));
        spark = mapOrEmpty(spark);
        faultInjection = orDefault(faultInjection, FaultInjection::off);
        dataPlacement = orDefault(dataPlacement, DataPlacement.BROADCAST);
        gpusPerWorker = Checks.nonNegative("gpusPerWorker", orDefault(gpusPerWorker, 0));
        epochTimeoutSeconds = positive("epochTimeoutSeconds", orDefault(epochTimeoutSeconds, 3600));
        shared = orDefault(shared, SharedConfig::defaults);
        averaging = orDefault(averaging, AveragingConfig::defaults);
        // peer: bitwise the same as driver and faster (docs/exactness.md: the exchanges); only sync has exchanges
        exchange = orDefault(exchange, engine == Engine.SYNC ? Exchange.PEER : Exchange.DRIVER);
        peer = orDefault(peer, PeerConfig::defaults);
        psPort = Checks.nonNegative("psPort", orDefault(psPort, 0));
        if (psPort > 65535) {
            throw new ConfigException("psPort", "must be a TCP port, 1..65535 (or 0: any free port)", psPort);
        }
        frameIntegrity = orDefault(frameIntegrity, FrameIntegrity.MAC);
        for (String key : spark.keySet()) {
            if (!key.startsWith("spark.")) {
                throw new ConfigException("spark." + key, "keys must start with 'spark.'", key);
            }
            if (Redaction.PLACEHOLDER.equals(spark.get(key))) {
                throw new ConfigException("spark." + key, "was redacted when this config was written (secrets are "
                        + "never written): give cluster.spark again with its real value (--set 'cluster.spark={" + key
                        + ": …}' replaces the whole map), or give it to Spark directly (spark-submit --conf, "
                        + "spark-defaults.conf)", Redaction.PLACEHOLDER);
            }
        }
    }

    public static ClusterConfig defaults() {
        return new ClusterConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null);
    }
}

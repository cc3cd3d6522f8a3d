package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.ClusterConfig;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.ConfigException;

/** The Spark settings a distributed run gets from its cluster config. */
class SparkRuntimeTest {
    private static ClusterConfig cluster(String yaml) {
        return new ConfigLoader().parse("t", "data: {train: x}\ncluster: " + yaml, List.of()).cluster();
    }

    @Test
    void setsKryoWithRequiredRegistrationBoundedRetriesAndNoDynamicAllocation() {
        SparkConf conf = SparkRuntime.conf(cluster("{maxStageAttempts: 3, threadsPerWorker: 2}"), "t");
        assertEquals("org.apache.spark.serializer.KryoSerializer", conf.get("spark.serializer"));
        assertEquals("true", conf.get("spark.kryo.registrationRequired"));
        // Spark SQL input (Parquet): its jobs ship Spark's own classes (schemas, a user's column types), not a closed list
        assertEquals("false", SparkRuntime.conf(cluster("{maxStageAttempts: 3}"), "t", true)
                .get("spark.kryo.registrationRequired"));
        assertEquals("org.sparkdnn.data.KryoRegistration,org.sparkdnn.task.TaskKryoRegistration",
                conf.get("spark.kryo.registrator"));
        assertEquals("3", conf.get("spark.stage.maxConsecutiveAttempts"));
        assertEquals("false", conf.get("spark.dynamicAllocation.enabled"));
        assertEquals("2", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertFalse(conf.contains("spark.task.resource.gpu.amount"));
    }

    @Test
    void gpusPerWorkerBecomesTheTaskGpuAmountAndUserSparkKeysWin() {
        SparkConf conf = SparkRuntime.conf(cluster("{master: 'spark://m:7077', gpusPerWorker: 1, "
                + "spark: {spark.executor.resource.gpu.amount: '4'}}"), "t");
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        assertEquals("4", conf.get("spark.executor.resource.gpu.amount"));
    }

    /** Spark schedules no resources in local mode: a GPU-asking task would wait forever, so it is refused. */
    @Test
    void gpusPerWorkerInLocalModeIsRefusedNamingTheSetting() {
        for (String master : List.of("local", "local[2]", "local[*]")) {
            ConfigException e = assertThrows(ConfigException.class, () -> SparkRuntime.conf(
                    cluster("{master: '" + master + "', gpusPerWorker: 1}"), "t"));
            assertEquals("cluster.gpusPerWorker", e.path());
            assertTrue(e.getMessage().contains("local mode"), e.getMessage());
        }
        assertEquals("1", SparkRuntime.conf(cluster("{master: 'local-cluster[2,1,1024]', gpusPerWorker: 1}"), "t")
                .get("spark.task.resource.gpu.amount"));
    }
}

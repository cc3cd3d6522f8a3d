package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.ClusterConfig;
import org.sparkdnn.config.ConfigLoader;

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
        assertEquals("org.sparkdnn.io.KryoRegistration", conf.get("spark.kryo.registrator"));
        assertEquals("3", conf.get("spark.stage.maxConsecutiveAttempts"));
        assertEquals("false", conf.get("spark.dynamicAllocation.enabled"));
        assertEquals("2", conf.get("spark.executorEnv.OMP_NUM_THREADS"));
        assertFalse(conf.contains("spark.task.resource.gpu.amount"));
    }

    @Test
    void gpusPerWorkerBecomesTheTaskGpuAmountAndUserSparkKeysWin() {
        SparkConf conf = SparkRuntime.conf(cluster("{gpusPerWorker: 1, spark: {spark.executor.resource.gpu.amount: '4'}}"), "t");
        assertEquals("1", conf.get("spark.task.resource.gpu.amount"));
        assertEquals("4", conf.get("spark.executor.resource.gpu.amount"));
    }
}

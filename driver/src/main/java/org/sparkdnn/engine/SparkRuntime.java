package org.sparkdnn.engine;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.serializer.KryoSerializer;
import org.sparkdnn.config.ClusterConfig;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.data.KryoRegistration;
import org.sparkdnn.task.TaskKryoRegistration;

/**
 * The Spark settings every distributed run needs: Kryo with registration required, stage retries bounded by
 * {@code cluster.maxStageAttempts}, no dynamic allocation (barrier mode), plus the user's {@code cluster.spark}.
 * spark-submit's {@code --master} wins over {@code cluster.master}.
 */
public final class SparkRuntime {
    /** What the project ships through Spark's Kryo: the data blocks, and the worker tasks' values. */
    static final String REGISTRATORS = KryoRegistration.class.getName() + "," + TaskKryoRegistration.class.getName();

    private SparkRuntime() {
    }

    /** JavaCPP's choice of native build ({@code -onednn}): executors get the driver's. */
    static final String PLATFORM_EXTENSION = "org.bytedeco.javacpp.platform.extension";

    public static SparkConf conf(ClusterConfig cluster, String appName) {
        return conf(cluster, appName, false);
    }

    /**
     * @param sqlInput the run reads through Spark SQL (Parquet, DataFrames): its jobs ship Spark SQL's own classes
     *                 (schemas, the types of a user's columns, ML vectors), so Kryo may not require registration then
     */
    public static SparkConf conf(ClusterConfig cluster, String appName, boolean sqlInput) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (!conf.contains("spark.master")) {
            conf.setMaster(cluster.master());
        }
        conf.set("spark.serializer", KryoSerializer.class.getName())
                .set("spark.kryo.registrator", REGISTRATORS)
                .set("spark.kryo.registrationRequired", "true")
                .set("spark.stage.maxConsecutiveAttempts", String.valueOf(cluster.maxStageAttempts()))
                .set("spark.task.maxFailures", String.valueOf(cluster.maxStageAttempts()))
                .set("spark.dynamicAllocation.enabled", "false")
                .setIfMissing("spark.ui.showConsoleProgress", "false")
                .setIfMissing("spark.executorEnv.OMP_NUM_THREADS", String.valueOf(cluster.threadsPerWorker()));
        // the libnd4j build the driver loaded (scripts/jvm-options.sh: -onednn), for executors launched from here
        String extension = System.getProperty(PLATFORM_EXTENSION);
        String executorOptions = conf.get("spark.executor.extraJavaOptions", "");
        if (extension != null && !executorOptions.contains(PLATFORM_EXTENSION)) {
            conf.set("spark.executor.extraJavaOptions",
                    (executorOptions + " -D" + PLATFORM_EXTENSION + "=" + extension).trim());
        }
        if (cluster.engine().dl4j()) {
            // DL4J's trainers ship their own classes (results, DataSets) through Kryo: its registrator, no strict list
            conf.set("spark.kryo.registrator", REGISTRATORS + ",org.nd4j.kryo.Nd4jRegistrator")
                    .set("spark.kryo.registrationRequired", "false");
            String aeron = "-D" + Dl4jSparkEngine.AERON_UNBLOCK + "=" + Dl4jSparkEngine.AERON_UNBLOCK_NANOS;
            String options = conf.get("spark.executor.extraJavaOptions", "");
            if (!options.contains(Dl4jSparkEngine.AERON_UNBLOCK)) {
                conf.set("spark.executor.extraJavaOptions", (options + " " + aeron).trim());
            }
        }
        if (sqlInput) {
            conf.set("spark.kryo.registrationRequired", "false");
        }
        if (cluster.gpusPerWorker() > 0) {
            String master = conf.get("spark.master");
            if (master.equals("local") || master.startsWith("local[")) {
                // Spark does not schedule resources in local mode: tasks asking for a GPU would never start
                throw new ConfigException("cluster.gpusPerWorker", "Spark schedules no GPUs in local mode (master "
                        + master + "): set it to 0 there (ND4J's CUDA backend still uses the machine's GPU) or use "
                        + "a standalone, YARN or Kubernetes master", cluster.gpusPerWorker());
            }
            conf.set("spark.task.resource.gpu.amount", String.valueOf(cluster.gpusPerWorker()));
        }
        cluster.spark().forEach(conf::set);
        return conf;
    }

    public static JavaSparkContext start(ClusterConfig cluster, String appName) {
        return start(cluster, appName, false);
    }

    public static JavaSparkContext start(ClusterConfig cluster, String appName, boolean sqlInput) {
        return new JavaSparkContext(conf(cluster, appName, sqlInput));
    }
}

package org.sparkdnn.engine;

import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.sparkdnn.config.ClusterConfig;
import org.sparkdnn.config.ConfigLoader;

/**
 * A real Spark context in {@code local[4]} with the project's Spark settings (Kryo with registration required,
 * bounded stage attempts), shared by a test class and always stopped.
 */
public final class SparkFixture implements BeforeAllCallback, AfterAllCallback {
    private final String cluster;
    private JavaSparkContext context;

    public SparkFixture() {
        this("");
    }

    /** @param clusterYaml extra {@code cluster} settings, e.g. {@code "engine: shared, "} (DL4J's Kryo settings) */
    public SparkFixture(String clusterYaml) {
        this.cluster = clusterYaml;
    }

    public JavaSparkContext context() {
        return context;
    }

    @Override
    public void beforeAll(ExtensionContext extension) {
        ClusterConfig cluster = new ConfigLoader().parse("test", "data: {train: embedded:digits}\n"
                + "cluster: {" + this.cluster + "master: 'local[4]', maxStageAttempts: 3, stepTimeoutSeconds: 60}", java.util.List.of()).cluster();
        context = new JavaSparkContext(SparkRuntime.conf(cluster, "sparkdnn tests")
                .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false"));
    }

    @Override
    public void afterAll(ExtensionContext extension) {
        if (context != null) {
            context.stop();
        }
    }
}

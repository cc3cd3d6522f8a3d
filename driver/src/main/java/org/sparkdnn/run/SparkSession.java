package org.sparkdnn.run;

import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.SparkRuntime;

/** The run's Spark context: started for the distributed engines only, stopped when the run ends. */
final class SparkSession implements AutoCloseable {
    private final JavaSparkContext context;

    private SparkSession(JavaSparkContext context) {
        this.context = context;
    }

    static SparkSession forEngine(RunConfig config) {
        if (config.cluster().engine() == Engine.LOCAL) {
            return new SparkSession(null);
        }
        return new SparkSession(SparkRuntime.start(config.cluster(), "sparkdnn train " + config.output().dir()));
    }

    JavaSparkContext context() {
        if (context == null) {
            throw new IllegalStateException("the local engine runs without Spark");
        }
        return context;
    }

    @Override
    public void close() {
        if (context != null) {
            context.stop();
        }
    }
}

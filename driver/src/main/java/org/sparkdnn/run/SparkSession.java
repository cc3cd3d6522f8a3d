package org.sparkdnn.run;

import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.DataFormat;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.SparkRuntime;

/** The run's Spark context: started for the distributed engines only, stopped when the run ends. */
final class SparkSession implements AutoCloseable {
    private final JavaSparkContext context;
    private final boolean owned;

    private SparkSession(JavaSparkContext context, boolean owned) {
        this.context = context;
        this.owned = owned;
    }

    /** @param shared a context the caller owns (tests, notebooks); else one is started and stopped here */
    static SparkSession forEngine(RunConfig config, Optional<JavaSparkContext> shared) {
        if (config.cluster().engine() == Engine.LOCAL) {
            return new SparkSession(null, false);
        }
        return started(config, shared, "sparkdnn train " + config.output().dir());
    }

    /** A context to read files only Spark reads (Parquet) on the driver path, whatever the engine. */
    static SparkSession forReading(RunConfig config, Optional<JavaSparkContext> shared) {
        return started(config, shared, "sparkdnn read " + config.data().train());
    }

    private static SparkSession started(RunConfig config, Optional<JavaSparkContext> shared, String appName) {
        if (shared.isPresent()) {
            return new SparkSession(shared.get(), false);
        }
        return new SparkSession(SparkRuntime.start(config.cluster(), appName, sqlInput(config)), true);
    }

    private static boolean sqlInput(RunConfig config) {
        return config.data().format() == DataFormat.PARQUET;
    }

    /** The same context, not stopped by closing what this returns (the run that started it stops it). */
    SparkSession borrowed() {
        return new SparkSession(context, false);
    }

    JavaSparkContext context() {
        if (context == null) {
            throw new IllegalStateException("the local engine runs without Spark");
        }
        return context;
    }

    /** "Spark UI: http://…" for a distributed engine; empty for the local engine (no Spark). */
    Optional<String> describeUi() {
        if (context == null) {
            return Optional.empty();
        }
        scala.Option<String> url = context.sc().uiWebUrl();
        String master = context.sc().master();
        return Optional.of(url.isDefined()
                ? "Spark UI: " + url.get() + " (" + master + ", application " + context.sc().applicationId()
                        + "; jobs named after the epochs they train; open while the run lasts)"
                : "Spark UI: off (spark.ui.enabled=false), " + master + ", application " + context.sc().applicationId());
    }

    @Override
    public void close() {
        if (owned) {
            context.stop();
        }
    }
}

package org.sparkdnn.engine;

import java.util.function.Supplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.config.RunConfig;

/** The one place {@code cluster.engine} picks a {@link StepEngine}. */
public final class Engines {
    private Engines() {
    }

    /**
     * The engine {@code config} asks for, training {@code net} on {@code input}; {@code sc} is asked for only by
     * the engines that run on Spark.
     */
    public static StepEngine create(RunConfig config, ComputationGraph net, EngineInput input,
                                    Supplier<JavaSparkContext> sc) {
        switch (config.cluster().engine()) {
            case LOCAL:
                // TrainingRun refuses data.read: executors with engine local before Spark starts
                return new LocalEngine(net, input.driverTrain().orElseThrow(() -> new IllegalStateException(
                        "engine local needs the training rows on the driver")), config.training().gradientNormsEvery());
            case SYNC:
                return new SyncEngine(sc.get(), config, net, input);
            case REFERENCE:
                return new ReferenceEngine(sc.get(), config, net, input);
            case SHARED:
            case AVERAGING:
                return new Dl4jSparkEngine(sc.get(), config, net, input);
            default:
                throw new IllegalArgumentException("unmapped engine " + config.cluster().engine());
        }
    }
}

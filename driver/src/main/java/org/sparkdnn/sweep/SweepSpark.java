package org.sparkdnn.sweep;

import java.util.List;
import java.util.Optional;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.SparkRuntime;

/**
 * The one Spark application a sweep's distributed trials share (none when every trial uses the local engine), with
 * the FAIR scheduler so that concurrent trials' jobs share the executors (each trial thread sets its own pool).
 * A barrier stage needs all k of its task slots at once, so {@code parallelTrials × cluster.workers} must fit in the
 * application's task slots; otherwise the sweep stops before it starts, naming both settings.
 */
final class SweepSpark {
    private SweepSpark() {
    }

    static Optional<JavaSparkContext> start(SweepSpec spec, List<RunConfig> trialConfigs) {
        List<RunConfig> distributed = trialConfigs.stream().filter(c -> c.cluster().engine() != Engine.LOCAL).toList();
        if (distributed.isEmpty()) {
            return Optional.empty();
        }
        int workers = distributed.stream().mapToInt(c -> c.cluster().workers()).max().orElse(1);
        RunConfig first = distributed.get(0);
        org.apache.spark.SparkConf conf = SparkRuntime.conf(first.cluster(), "sparkdnn sweep " + spec.source())
                .set("spark.scheduler.mode", "FAIR");
        JavaSparkContext sc = new JavaSparkContext(conf);
        int slots = sc.defaultParallelism();
        int wanted = spec.config().parallelTrials() * workers;
        if (wanted > slots) {
            sc.stop();
            throw new ConfigException(spec.source() + ": parallelTrials", "× cluster.workers (" + workers + ") = "
                    + wanted + " task slots, more than the " + slots + " of " + conf.get("spark.master") + " (barrier "
                    + "stages of concurrent trials would wait for each other); lower parallelTrials or workers",
                    spec.config().parallelTrials());
        }
        return Optional.of(sc);
    }
}

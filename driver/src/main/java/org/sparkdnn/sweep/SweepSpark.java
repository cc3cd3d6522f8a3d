package org.sparkdnn.sweep;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.Engine;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.engine.SparkRuntime;

/**
 * The one Spark application a sweep's distributed trials share (none when every trial uses the local engine), with
 * the FAIR scheduler so that concurrent trials' jobs share the executors (each trial thread sets its own pool).
 * A barrier stage needs all k of its task slots at once, so {@code parallelTrials × cluster.workers} must fit in the
 * application's task slots; where the settings tell the slots ({@link #taskSlots}), a sweep that does not fit stops
 * before it starts, naming both settings; elsewhere a warning says what to check.
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
        if (spec.config().parallelTrials() > 1 && distributed.stream().anyMatch(c -> c.cluster().engine() == Engine.SHARED)) {
            throw new ConfigException(spec.source() + ": parallelTrials", "must be 1 when trials use engine shared "
                    + "(DL4J's shared trainer keeps one parameter server per JVM, so its trials run one at a time)",
                    spec.config().parallelTrials());
        }
        // DL4J's trainers need their Kryo settings in the one context (the exact engines run with them too)
        RunConfig first = distributed.stream().filter(c -> c.cluster().engine().dl4j()).findFirst()
                .orElse(distributed.get(0));
        SparkConf conf = SparkRuntime.conf(first.cluster(), "sparkdnn sweep " + spec.source())
                .set("spark.scheduler.mode", "FAIR");
        int wanted = spec.config().parallelTrials() * workers;
        OptionalInt slots = taskSlots(conf);
        if (slots.isPresent() && wanted > slots.getAsInt()) {
            throw new ConfigException(spec.source() + ": parallelTrials", "× cluster.workers (" + workers + ") = "
                    + wanted + " task slots, more than the " + slots.getAsInt() + " of " + conf.get("spark.master")
                    + " (barrier stages of concurrent trials would wait for each other); lower parallelTrials or workers",
                    spec.config().parallelTrials());
        }
        if (slots.isEmpty()) {
            LoggerFactory.getLogger(SweepSpark.class).warn("cannot count the task slots of {} before executors "
                    + "register (set spark.executor.instances and spark.executor.cores): make sure parallelTrials × "
                    + "cluster.workers = {} fit, or concurrent trials' barrier stages wait for each other",
                    conf.get("spark.master"), wanted);
        }
        return Optional.of(new JavaSparkContext(conf));
    }

    /**
     * Task slots known from the settings alone: N for {@code local[N]} ({@code local[*]}: the cores here), else
     * {@code spark.executor.instances × spark.executor.cores / spark.task.cpus} when both are set.
     */
    static OptionalInt taskSlots(SparkConf conf) {
        String master = conf.get("spark.master", "");
        Matcher local = Pattern.compile("local\\[(\\*|\\d+)(,\\d+)?]").matcher(master);
        if (local.matches()) {
            return OptionalInt.of(local.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
                    : Integer.parseInt(local.group(1)));
        }
        if (master.equals("local")) {
            return OptionalInt.of(1);
        }
        if (conf.contains("spark.executor.instances") && conf.contains("spark.executor.cores")) {
            return OptionalInt.of(conf.getInt("spark.executor.instances", 0) * conf.getInt("spark.executor.cores", 1)
                    / conf.getInt("spark.task.cpus", 1));
        }
        return OptionalInt.empty();
    }
}

package org.sparkdnn.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.ps.ClusterException;

/**
 * DL4J's own Spark trainers as engines {@code shared} and {@code averaging}, run for real (Aeron, ParallelWrapper,
 * Spark local mode) on the quick start's config: they learn, they can run again and again in one process without
 * leaving DL4J's threads behind, and a stuck epoch becomes a clear failure within its deadline.
 */
class Dl4jEnginesTest {
    @RegisterExtension
    static final SparkFixture SPARK = new SparkFixture("engine: shared, ");

    /** DL4J's threads: the Aeron media driver and client, its messaging executors, ParallelWrapper and its prefetch. */
    private static final Pattern DL4J_THREAD = Pattern.compile(
            "(?i).*(aeron|conductor|MessagesExecutorService|^sender$|^receiver$|AMDSI|ParallelWrapper|trainer|dl4j-).*");

    @TempDir
    Path tmp;

    static String quickStart() throws Exception {
        return Files.readString(Path.of("../conf/digits.yaml"));
    }

    @Test
    void sharedTrainsTheQuickStartToAtLeast95PercentTestAccuracy() throws Exception {
        Runs.Result r = Runs.train(SPARK.context(), tmp.resolve("shared"), quickStart(), "cluster.engine=shared");
        JsonNode s = r.summary();
        assertEquals("shared", s.get("engine").asText());
        double accuracy = s.get("test").get("accuracy").asDouble();
        System.out.printf("shared on the quick start: test accuracy %.4f after %d epochs%n", accuracy,
                s.get("epochs").asInt());
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
        assertEquals(40L * s.get("epochs").asInt(), s.get("steps").asLong(), "40 global batches per epoch");
        List<String> lines = Files.readAllLines(r.dir().resolve("metrics.jsonl"));
        long epochs = lines.stream().filter(l -> l.contains("\"type\":\"epoch\"")).count();
        long norms = lines.stream().filter(l -> l.contains("\"type\":\"gradientNorms\"")).count();
        assertEquals(s.get("epochs").asInt(), epochs, "one epoch record per epoch");
        assertEquals(epochs, norms, "per-layer gradient norms once per epoch");
        assertTrue(Files.exists(r.dir().resolve("model.zip")) && Files.exists(r.dir().resolve("report.html")));
    }

    @Test
    void averagingLearnsTheQuickStart() throws Exception {
        Runs.Result r = Runs.train(SPARK.context(), tmp.resolve("averaging"), quickStart(), "cluster.engine=averaging",
                "training.epochs=15");
        double accuracy = r.summary().get("test").get("accuracy").asDouble();
        System.out.printf("averaging on the quick start, 15 epochs: test accuracy %.4f%n", accuracy);
        assertEquals("averaging", r.summary().get("engine").asText());
        assertTrue(accuracy >= 0.93, "test accuracy " + accuracy);
    }

    @ParameterizedTest
    @ValueSource(strings = {"averaging", "shared"})
    void dl4jsTrainersTrainOnRowsTheExecutorsRead(String engine) throws Exception {
        Path csv = tmp.resolve("digits.csv");
        try (java.io.InputStream in = new java.util.zip.GZIPInputStream(
                getClass().getResourceAsStream("/datasets/digits.csv.gz"))) {
            Files.copy(in, csv);
        }
        Runs.Result r = Runs.train(SPARK.context(), tmp.resolve(engine), quickStart(), "cluster.engine=" + engine,
                "data.train=" + csv, "data.read=executors", "training.epochs=15", "checkpoint.everyEpochs=1");
        double accuracy = r.summary().get("test").get("accuracy").asDouble();
        System.out.printf("%s on executor-read digits, 15 epochs: test accuracy %.4f%n", engine, accuracy);
        assertTrue(accuracy >= 0.90, engine + ": test accuracy " + accuracy);
        assertEquals(359, r.summary().get("test").get("examples").asInt(), "the same held-out split as DataLoader's");
        Path checkpoint;
        try (java.util.stream.Stream<Path> kept = Files.list(r.dir().resolve("checkpoints"))) {
            checkpoint = kept.filter(p -> p.getFileName().toString().startsWith("ckpt-")).findFirst().orElseThrow();
        }
        assertTrue(Files.readString(checkpoint.resolve("manifest.json")).contains("\"trainSha256\" : \"executors:"),
                "the rows were the executors'");
        long norms = Files.readAllLines(r.dir().resolve("metrics.jsonl")).stream()
                .filter(l -> l.contains("\"type\":\"gradientNorms\"")).count();
        assertEquals(r.summary().get("epochs").asInt(), norms, "per-layer gradient norms once per epoch");
    }

    /**
     * The network from our config ships to DL4J's workers: a residual block, our loss and updater (and, with
     * {@code averaging}, our warmup + cosine schedule; {@code shared} rejects schedules).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shared", "averaging"})
    void ourResidualBlockLossUpdaterAndScheduleTrainUnderDl4jsTrainers(String engine) throws Exception {
        String yaml = String.join("\n",
                "model: {layers: [{units: 64}, {units: 32}, {type: residual, units: 32}],",
                "        activation: relu, dropout: 0.1, loss: softmaxCrossEntropy}",
                "optimizer: {type: momentum, learningRate: 0.02, momentum: 0.9, weightDecay: 0.0001}",
                "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2}",
                "training: {epochs: 4, batchSize: 32, seed: 3}");
        String schedule = engine.equals("averaging") ? "optimizer.schedule={type: cosine, warmupSteps: 20}"
                : "optimizer.schedule.type=constant";
        Runs.Result r = Runs.train(SPARK.context(), tmp.resolve(engine), yaml, "cluster.engine=" + engine, schedule);
        double accuracy = r.summary().get("test").get("accuracy").asDouble();
        System.out.printf("%s, residual + momentum, 4 epochs: test accuracy %.4f%n", engine, accuracy);
        assertTrue(accuracy >= 0.85, engine + ": test accuracy " + accuracy);
    }

    /**
     * A user's DL4J network with BatchNormalization: the exact engines train it as the synchronized BatchNorm (saying
     * so), so sync with 2 workers equals reference bitwise; DL4J's trainers keep DL4J's own layer.
     */
    @Test
    void aDl4jBatchNormalizationTrainsSynchronizedOnTheExactEngines() throws Exception {
        Path json = tmp.resolve("bn.json");
        Files.writeString(json, new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(32).activation(Activation.IDENTITY).build())
                .layer(new org.deeplearning4j.nn.conf.layers.BatchNormalization.Builder().nOut(32)
                        .activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build().toJson());
        String yaml = String.join("\n", "model: {dl4j: '" + json + "'}",
                "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2}",
                "training: {epochs: 1, batchSize: 50}", "cluster: {workers: 2}");
        Runs.Result reference = Runs.train(SPARK.context(), tmp.resolve("reference"), yaml, "cluster.engine=reference");
        Runs.Result sync = Runs.train(SPARK.context(), tmp.resolve("sync"), yaml, "cluster.engine=sync");
        assertEquals(reference.sha(), sync.sha(), "sync with DL4J's BatchNormalization, synchronized");
        assertEquals(org.sparkdnn.model.SyncBatchNormalization.class, batchNormClass(sync));
        Runs.Result shared = Runs.train(SPARK.context(), tmp.resolve("shared"), yaml, "cluster.engine=shared");
        assertEquals(org.deeplearning4j.nn.conf.layers.BatchNormalization.class, batchNormClass(shared));
    }

    /** The configuration class of the saved model's BatchNorm layer. */
    private static Class<?> batchNormClass(Runs.Result run) throws Exception {
        try (java.io.InputStream in = Files.newInputStream(run.dir().resolve("model.zip"))) {
            for (org.deeplearning4j.nn.api.Layer l : org.deeplearning4j.util.ModelSerializer
                    .restoreComputationGraph(in, false).getLayers()) {
                if (l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                    return l.conf().getLayer().getClass();
                }
            }
        }
        throw new AssertionError("no BatchNorm layer in " + run.dir());
    }

    /** A user's own DL4J network ({@code model.dl4j}) trains under both engines. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shared", "averaging"})
    void aUsersDl4jNetworkTrainsUnderDl4jsTrainers(String engine) throws Exception {
        Path json = tmp.resolve("net.json");
        Files.writeString(json, new NeuralNetConfiguration.Builder().list()
                .layer(new DenseLayer.Builder().nIn(64).nOut(48).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(48).nOut(10)
                        .activation(Activation.SOFTMAX).build())
                .build().toJson());
        String yaml = String.join("\n",
                "model: {dl4j: '" + json + "'}",
                "optimizer: {type: adam, learningRate: 0.005}",
                "data: {train: 'embedded:digits', numClasses: 10, scaling: standardize, testFraction: 0.2}",
                "training: {epochs: 4, batchSize: 32, seed: 5}");
        Runs.Result r = Runs.train(SPARK.context(), tmp.resolve(engine), yaml, "cluster.engine=" + engine);
        double accuracy = r.summary().get("test").get("accuracy").asDouble();
        System.out.printf("%s, a user's DL4J network, 4 epochs: test accuracy %.4f%n", engine, accuracy);
        assertEquals(64 * 48 + 48 + 48 * 10 + 10, r.summary().get("parameters").asLong());
        assertTrue(accuracy >= 0.85, engine + ": test accuracy " + accuracy);
    }

    /**
     * Checkpoint and resume at an epoch boundary: 2 epochs, then the same run continued to 4, against 4 epochs
     * uninterrupted (and against a second uninterrupted run: DL4J's trainers are not deterministic, so that is the
     * yardstick). The checkpoint carries the optimizer state; the resumed run continues, it is not exact.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"shared", "averaging"})
    void resumesAtAnEpochBoundaryWithItsOptimizerState(String engine) throws Exception {
        String[] sets = {"cluster.engine=" + engine, "training.patience=0", "model.dropout=0"};
        Runs.Result a = Runs.train(SPARK.context(), tmp.resolve("a"), quickStart(), Runs.with(sets, "training.epochs=4"));
        Runs.Result a2 = Runs.train(SPARK.context(), tmp.resolve("a2"), quickStart(), Runs.with(sets, "training.epochs=4"));
        Runs.train(SPARK.context(), tmp.resolve("b"), quickStart(), Runs.with(sets, "training.epochs=2"));
        Path checkpoint = tmp.resolve("b/checkpoints/ckpt-0000000080/model.zip");
        try (java.io.InputStream in = Files.newInputStream(checkpoint)) {
            org.deeplearning4j.nn.graph.ComputationGraph saved =
                    org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(in, true);
            double state = saved.getUpdater().getStateViewArray().norm2Number().doubleValue();
            assertTrue(state > 0, "the epoch-2 checkpoint holds Adam's state (norm " + state + ")");
        }
        Runs.Result b = Runs.train(SPARK.context(), tmp.resolve("b"), quickStart(), Runs.with(sets, "training.epochs=4"));
        assertTrue(b.summary().get("resumedFrom").asText().endsWith("ckpt-0000000080"),
                b.summary().get("resumedFrom").asText());
        assertEquals(160, b.summary().get("steps").asLong());
        assertEquals(80, b.summary().get("stepsThisRun").asLong());
        double resumed = b.summary().get("test").get("accuracy").asDouble();
        double uninterrupted = a.summary().get("test").get("accuracy").asDouble();
        org.sparkdnn.metrics.ParamsDiff resumeDiff = org.sparkdnn.metrics.ParamsDiff.of(a.params(), b.params());
        org.sparkdnn.metrics.ParamsDiff runDiff = org.sparkdnn.metrics.ParamsDiff.of(a.params(), a2.params());
        System.out.printf("%s resume at epoch 2 of 4: test accuracy %.4f resumed vs %.4f and %.4f uninterrupted; "
                        + "max rel param diff %.3e resumed vs uninterrupted, %.3e between two uninterrupted runs%n",
                engine, resumed, uninterrupted, a2.summary().get("test").get("accuracy").asDouble(),
                resumeDiff.maxRel(), runDiff.maxRel());
        assertTrue(resumed >= 0.90 && Math.abs(resumed - uninterrupted) <= 0.05,
                "resumed " + resumed + " vs uninterrupted " + uninterrupted);
    }

    /**
     * As a sweep runs them: five {@code shared} runs in one process, of different networks, with an
     * {@code averaging} run between two of them; each under a deadline, each learning, no DL4J thread left.
     */
    @Test
    void fiveSharedRunsInARowEachFinishInTimeLearnAndLeaveNoDl4jThreads() throws Exception {
        Set<Thread> before = dl4jThreads();
        String[][] runs = {
                {"cluster.engine=shared"},
                {"cluster.engine=shared", "model.layers.0.units=48", "model.layers.1.units=24"},
                {"cluster.engine=averaging"},
                {"cluster.engine=shared", "model.layers.1.type=residual", "model.layers.1.units=128"},
                {"cluster.engine=shared", "training.batchSize=64"},
                {"cluster.engine=shared"}};
        for (int i = 0; i < runs.length; i++) {
            Path out = tmp.resolve("run" + i);
            String[] sets = java.util.stream.Stream.concat(java.util.Arrays.stream(runs[i]),
                    java.util.stream.Stream.of("training.epochs=3", "training.seed=" + (i + 1))).toArray(String[]::new);
            Runs.Result r = assertTimeoutPreemptively(Duration.ofSeconds(90),
                    () -> Runs.train(SPARK.context(), out, quickStart(), sets), "run " + i + " hung");
            double accuracy = r.summary().get("test").get("accuracy").asDouble();
            System.out.printf("run %d %s: test accuracy %.4f%n", i, String.join(" ", runs[i]), accuracy);
            assertTrue(accuracy >= 0.85, "run " + i + " " + String.join(" ", runs[i]) + ": test accuracy " + accuracy);
        }
        assertNoNewDl4jThreads(before);
    }

    @Test
    void aStuckEpochFailsNamingItsDeadlineAndTheNextRunStillWorks() throws Exception {
        Set<Thread> before = dl4jThreads();
        long start = System.nanoTime();
        ClusterException e = assertThrows(ClusterException.class, () -> assertTimeoutPreemptively(
                Duration.ofSeconds(90), () -> Runs.train(SPARK.context(), tmp.resolve("stuck"), quickStart(),
                        "cluster.engine=shared", "training.epochs=2", "cluster.epochTimeoutSeconds=5",
                        "cluster.faultInjection.worker=1", "cluster.faultInjection.stallSeconds=600")));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(e.getMessage().contains("epoch 1 did not finish within cluster.epochTimeoutSeconds=5"),
                e.getMessage());
        assertTrue(seconds < 60, "failed after " + seconds + " s");
        assertEquals(0, SPARK.context().statusTracker().getActiveJobIds().length, "the epoch's Spark jobs cancelled");
        assertNoNewDl4jThreads(before);
        Runs.Result next = assertTimeoutPreemptively(Duration.ofSeconds(90), () -> Runs.train(SPARK.context(),
                tmp.resolve("after"), quickStart(), "cluster.engine=shared", "training.epochs=2"));
        assertTrue(next.summary().get("test").get("accuracy").asDouble() >= 0.8);
    }

    /** DL4J's live threads (by identity: many share a name). */
    private static Set<Thread> dl4jThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> DL4J_THREAD.matcher(t.getName()).matches()).collect(Collectors.toSet());
    }

    /** DL4J's threads stop within a few seconds of a run's end (Aeron's conductors poll). */
    private static void assertNoNewDl4jThreads(Set<Thread> before) throws InterruptedException {
        Set<Thread> left = Set.of();
        for (int i = 0; i < 50; i++) {
            left = new java.util.HashSet<>(dl4jThreads());
            left.removeAll(before);
            if (left.isEmpty()) {
                return;
            }
            Thread.sleep(200);
        }
        StringBuilder stacks = new StringBuilder();
        for (java.util.Map.Entry<Thread, StackTraceElement[]> t : Thread.getAllStackTraces().entrySet()) {
            if (left.contains(t.getKey())) {
                stacks.append("\n").append(t.getKey().getName()).append(":");
                for (StackTraceElement e : t.getValue()) {
                    stacks.append("\n    at ").append(e);
                }
            }
        }
        throw new AssertionError("DL4J threads left running: " + left.stream().map(Thread::getName)
                .collect(Collectors.toCollection(TreeSet::new)) + stacks);
    }
}

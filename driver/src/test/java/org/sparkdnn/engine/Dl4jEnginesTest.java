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
import org.junit.jupiter.api.Test;
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

    @Test
    void fiveSharedRunsInARowEachFinishInTimeAndLeaveNoDl4jThreads() throws Exception {
        Set<Thread> before = dl4jThreads();
        for (int i = 0; i < 5; i++) {
            Path out = tmp.resolve("run" + i);
            String seed = "training.seed=" + (i + 1);
            Runs.Result r = assertTimeoutPreemptively(Duration.ofSeconds(90),
                    () -> Runs.train(SPARK.context(), out, quickStart(), "cluster.engine=shared", "training.epochs=3",
                            seed), "run " + i + " hung");
            double accuracy = r.summary().get("test").get("accuracy").asDouble();
            assertTrue(accuracy >= 0.85, "run " + i + ": test accuracy " + accuracy);
            assertEquals(120, r.summary().get("steps").asLong());
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

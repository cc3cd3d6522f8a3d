package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigLoader;

/**
 * Two processes race to take the same stale lease, 100 rounds each on the local file system and on HDFS: exactly
 * one wins every round, and the lease names it. Even rounds: the holder's process is dead on this machine (both
 * takers see it at once, so their claims collide); odd rounds: the holder is a silent host (both watch it for the
 * stale time, {@value #STALE_MILLIS} ms, then claim).
 */
class WriterLeaseRaceTest {
    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(1);
    private static final int ROUNDS = 100;
    private static final long STALE_MILLIS = 30;
    /** HDFS clients wait 400 ms before asking again whether a closed file is complete: not what is tested here. */
    private static final String COMPLETE_DELAY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
    @TempDir
    Path tmp;

    @Test
    void twoProcessesRacingForAStaleLeaseOnTheLocalFileSystemNeverBothWin() throws Exception {
        race(tmp.resolve("leases").toUri().toString().replaceAll("/$", ""), new Configuration());
    }

    @Test
    void twoProcessesRacingForAStaleLeaseOnHdfsNeverBothWin() throws Exception {
        Configuration hadoop = new Configuration(HDFS.conf());
        hadoop.setInt(COMPLETE_DELAY, 10);
        race(HDFS.uri("/race"), hadoop);
    }

    private void race(String base, Configuration hadoop) throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        WriterIdentity me = WriterIdentity.current();
        WriterIdentity dead = new WriterIdentity(me.host(), me.bootId(), me.container(), me.pidNamespace(),
                exited.pid(), -1);
        WriterIdentity silent = new WriterIdentity("silent-host", "boot", "", "pid:[1]", 1, 1);
        long prepared = System.nanoTime();
        for (int r = 0; r < ROUNDS; r++) {
            new CheckpointStore(base + "/round-" + r, hadoop, new ConfigLoader().json()).acquireLease("stale",
                    STALE_MILLIS, new FakeLeaseClock(0), r % 2 == 0 ? dead : silent);
        }
        System.out.printf("lease race on %s: %d stale leases prepared in %d ms%n", base.replaceAll(":.*", ""), ROUNDS,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - prepared));
        Path barrier = Files.createDirectories(tmp.resolve("barrier"));
        long started = System.nanoTime();
        Process a = child(base, barrier, "a", "b");
        Process b = child(base, barrier, "b", "a");
        assertTrue(a.waitFor(2, TimeUnit.MINUTES) && b.waitFor(1, TimeUnit.MINUTES), "the racers did not finish");
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(0, a.exitValue() + b.exitValue(), Files.readString(tmp.resolve("a.log")) + Files.readString(tmp.resolve("b.log")));
        List<String> ra = Files.readAllLines(tmp.resolve("a.txt"));
        List<String> rb = Files.readAllLines(tmp.resolve("b.txt"));
        assertEquals(ROUNDS, ra.size());
        assertEquals(ROUNDS, rb.size());
        FileSystem fs = new org.apache.hadoop.fs.Path(base).getFileSystem(hadoop);
        long[] skews = new long[ROUNDS];
        int wonByA = 0;
        for (int r = 0; r < ROUNDS; r++) {
            String[] x = ra.get(r).split(" ");
            String[] y = rb.get(r).split(" ");
            assertTrue(x[1].equals("won") ^ y[1].equals("won"), "round " + r + ": exactly one winner: " + ra.get(r)
                    + " / " + rb.get(r));
            String winner = x[1].equals("won") ? "a" : "b";
            wonByA += winner.equals("a") ? 1 : 0;
            byte[] lease;
            try (var in = fs.open(LeaseFiles.claim(new org.apache.hadoop.fs.Path(base + "/round-" + r), 2))) {
                lease = in.readAllBytes();
            }
            assertEquals(winner, new ConfigLoader().json().readTree(lease).get("run").asText(), "round " + r);
            skews[r] = Math.abs(Long.parseLong(x[2]) - Long.parseLong(y[2])) / 1000;
        }
        Arrays.sort(skews);
        System.out.printf("lease race on %s: %d rounds, exactly one winner each (a won %d, b %d); start skew between "
                + "the racers median %d us, max %d us; %d ms for both JVMs and all rounds%n", base.replaceAll(":.*", ""),
                ROUNDS, wonByA, ROUNDS - wonByA, skews[ROUNDS / 2], skews[ROUNDS - 1], millis);
    }

    private Process child(String base, Path barrier, String me, String other) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                LeaseRaceChild.class.getName(), base, barrier.toString(), me, other, String.valueOf(ROUNDS),
                String.valueOf(STALE_MILLIS), tmp.resolve(me + ".txt").toString(), COMPLETE_DELAY + "=10"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(me + ".log").toFile())
                .start();
    }
}

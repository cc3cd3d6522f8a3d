package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.config.ConfigLoader;

/**
 * Who may take a writer lease, on the local file system with time injected (no test sleeps): staleness is judged by
 * the taker's own clock watching the holder's heartbeats, never by the holder's wall clock; a pid is trusted only
 * within the same kernel, PID namespace and container; a zombie that lost the lease renames nothing into place.
 */
class WriterLeaseTakeoverTest {
    private static final long STALE = 60_000;
    private static final long TWO_MINUTES = 120_000;
    @TempDir
    Path dir;

    private CheckpointStore store(String sub) {
        return new CheckpointStore(dir.resolve(sub).toUri().toString(), new Configuration(), new ConfigLoader().json());
    }

    private static WriterIdentity in(String container, long pid, long started) {
        WriterIdentity me = WriterIdentity.current();
        return new WriterIdentity(me.host(), me.bootId(), container, me.pidNamespace(), pid, started);
    }

    private static WriterIdentity elsewhere() {
        return new WriterIdentity("holder-host", "another-boot", "", "pid:[1]", 4242, 1);
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** A clock for a taker during whose watch {@code holder} heartbeats every 10 s (0: never). */
    private static FakeLeaseClock watchedWhileBeating(CheckpointStore holder, long everyMillis) {
        FakeLeaseClock clock = new FakeLeaseClock(0);
        return clock.onSleep(() -> {
            if (everyMillis > 0 && clock.elapsedMillis() % everyMillis == 0) {
                try {
                    holder.heartbeat();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        });
    }

    @Test
    void aHolderWithATwoMinuteClockSkewKeepsItsLeaseWhileItHeartbeats() throws Exception {
        for (long skew : new long[] {TWO_MINUTES, -TWO_MINUTES}) {
            String sub = "skew" + skew;
            CheckpointStore holder = store(sub);
            holder.acquireLease("holder", STALE, new FakeLeaseClock(skew), elsewhere());
            FakeLeaseClock taker = watchedWhileBeating(holder, 10_000);
            CheckpointException e = assertThrows(CheckpointException.class,
                    () -> store(sub).acquireLease("taker", STALE, taker, WriterIdentity.current()));
            assertTrue(e.getMessage().contains("is being written by run holder (host holder-host"), e.getMessage());
            assertEquals(10_000, taker.elapsedMillis(), "refused at the holder's first heartbeat, skew " + skew);
            String lease = Files.readString(dir.resolve(sub).resolve("_writer.lease.g0000000001"));
            long wall = new ConfigLoader().json().readTree(lease).get("wallMillis").asLong();
            assertTrue(Math.abs(wall - skew - System.currentTimeMillis()) < 30_000, "the holder's clock is off: " + lease);
            holder.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        }
    }

    @Test
    void aSilentHolderIsTakenOverAfterTheStaleTimeOnTheTakersClockAndItsLateHeartbeatFails() throws Exception {
        CheckpointStore holder = store("silent");
        holder.acquireLease("holder", STALE, new FakeLeaseClock(-TWO_MINUTES), elsewhere());
        FakeLeaseClock clock = watchedWhileBeating(holder, 0);
        CheckpointStore taker = store("silent");
        taker.acquireLease("taker", STALE, clock, WriterIdentity.current());
        assertEquals(STALE, clock.elapsedMillis(), "watched for the stale time, no longer");
        CheckpointException late = assertThrows(CheckpointException.class, holder::heartbeat);
        assertTrue(late.getMessage().contains("run holder lost the writer lease") && late.getMessage()
                .contains("to run taker (host "), late.getMessage());
        assertFalse(Files.exists(dir.resolve("silent/_writer.lease.g0000000001")), "the old generation is gone");
        taker.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        holder.releaseLease(); // a zombie's release leaves the taker's lease alone
        taker.heartbeat();
    }

    @Test
    void twoLeasesDifferingOnlyInContainerIdDoNotConfuseEachOther() throws Exception {
        long dead = deadPid();
        // container a's pid is not running here, but it is another container's pid: its heartbeat decides
        CheckpointStore holder = store("containers");
        holder.acquireLease("in-a", STALE, new FakeLeaseClock(0), in("a".repeat(64), dead, -1));
        FakeLeaseClock watching = watchedWhileBeating(holder, 10_000);
        CheckpointException e = assertThrows(CheckpointException.class, () -> store("containers")
                .acquireLease("in-b", STALE, watching, in("b".repeat(64), 7, -1)));
        assertTrue(e.getMessage().contains("run in-a (host ") && e.getMessage().contains("container aaaaaaaaaaaa"),
                e.getMessage());
        // the same container: its pid is looked up, found dead, and the lease taken at once
        FakeLeaseClock sameContainer = new FakeLeaseClock(0);
        store("containers").acquireLease("also-in-a", STALE, sameContainer, in("a".repeat(64), 7, -1));
        assertEquals(0, sameContainer.elapsedMillis(), "taken without watching");

        // container a's pid is running here (it is this JVM's pid and start time): not a live holder for container b
        WriterIdentity me = WriterIdentity.current();
        CheckpointStore alive = store("containers2");
        alive.acquireLease("in-a", STALE, new FakeLeaseClock(0), in("a".repeat(64), me.pid(), me.startedMillis()));
        FakeLeaseClock silent = watchedWhileBeating(alive, 0);
        store("containers2").acquireLease("in-b", STALE, silent, in("b".repeat(64), 7, -1));
        assertEquals(STALE, silent.elapsedMillis(), "judged by its heartbeat, not by a pid of another container");
    }

    @Test
    void aLeaseTakenOverWhileACheckpointIsWrittenStopsItsRename() throws Exception {
        CheckpointStore zombie = store("rename");
        zombie.acquireLease("zombie", STALE, new FakeLeaseClock(0), elsewhere());
        CheckpointStore taker = store("rename");
        Map<String, byte[]> files = afterIterating(CheckpointStoreHdfsTest.model(10), () -> {
            try {
                taker.acquireLease("taker", STALE, watchedWhileBeating(zombie, 0), WriterIdentity.current());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> zombie.write(CheckpointStoreHdfsTest.manifest(10, null), files));
        assertTrue(e.getMessage().contains("run zombie lost the writer lease"), e.getMessage());
        assertTrue(taker.steps().isEmpty(), "nothing renamed into place by the zombie");
        try (var names = Files.list(dir.resolve("rename"))) {
            assertEquals(0, names.filter(p -> p.getFileName().toString().startsWith("_tmp-")).count());
        }
    }

    @Test
    void aRefusedTakerSweepsNothingAndTheNextHolderSweepsTheGenerationsItTookOver() throws Exception {
        CheckpointStore first = store("sweep");
        first.acquireLease("first", STALE);
        Path inFlight = Files.createDirectories(dir.resolve("sweep/_tmp-g0000000001-ckpt-0000000010-1"));
        Path legacy = Files.createDirectories(dir.resolve("sweep/_tmp-ckpt-0000000005-7"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> store("sweep").acquireLease("second",
                STALE), "a live process of this machine holds it: refused at once");
        assertTrue(e.getMessage().contains("use another checkpoint.dir"), e.getMessage());
        assertTrue(Files.exists(inFlight) && Files.exists(legacy), "the holder's in-flight checkpoint is untouched");
        first.releaseLease();
        store("sweep").acquireLease("second", STALE);
        assertFalse(Files.exists(inFlight) || Files.exists(legacy), "generation 1 and an earlier release's: swept");
        assertEquals("second", new ConfigLoader().json().readTree(dir.resolve("sweep/_writer.lease.g0000000002")
                .toFile()).get("run").asText());
    }

    @Test
    void aLeaseFileOfAnEarlierReleaseIsRetiredOnlyWhenSilent() throws Exception {
        Path legacy = Files.createDirectories(dir.resolve("legacy")).resolve("_writer.lease");
        Files.writeString(legacy, "{\"run\":\"old\",\"host\":\"h\",\"pid\":1,\"heartbeatMillis\":1}");
        FakeLeaseClock beating = new FakeLeaseClock(0);
        beating.onSleep(() -> write(legacy, "{\"heartbeatMillis\":" + beating.elapsedMillis() + "}"));
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> store("legacy").acquireLease("new", STALE, beating, WriterIdentity.current()));
        assertTrue(e.getMessage().contains("a run of an earlier release"), e.getMessage());
        FakeLeaseClock silent = new FakeLeaseClock(0);
        store("legacy").acquireLease("new", STALE, silent, WriterIdentity.current());
        assertEquals(STALE, silent.elapsedMillis());
        assertFalse(Files.exists(legacy));
    }

    @Test
    void anObjectStoreIsRefusedForTheLeaseNamingTheSetting() {
        RawLocalFileSystem s3 = new RawLocalFileSystem() {
            @Override
            public URI getUri() {
                return URI.create("s3a://bucket/");
            }
        };
        CheckpointException e = assertThrows(CheckpointException.class, () -> new LeaseFiles(
                new org.apache.hadoop.fs.Path("s3a://bucket/ckpt"), s3, new Configuration()));
        assertTrue(e.getMessage().startsWith("checkpoint.dir s3a://bucket/ckpt: s3a: is an object store")
                && e.getMessage().contains("hdfs://"), e.getMessage());
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code files}, running {@code action} once their iteration ends (when the store has written them all). */
    private static Map<String, byte[]> afterIterating(Map<String, byte[]> files, Runnable action) {
        return new AbstractMap<>() {
            @Override
            public Set<Entry<String, byte[]>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, byte[]>> iterator() {
                        Iterator<Entry<String, byte[]>> it = files.entrySet().iterator();
                        return new Iterator<>() {
                            private boolean done;

                            @Override
                            public boolean hasNext() {
                                boolean more = it.hasNext();
                                if (!more && !done) {
                                    done = true;
                                    action.run();
                                }
                                return more;
                            }

                            @Override
                            public Entry<String, byte[]> next() {
                                return it.next();
                            }
                        };
                    }

                    @Override
                    public int size() {
                        return files.size();
                    }
                };
            }
        };
    }
}

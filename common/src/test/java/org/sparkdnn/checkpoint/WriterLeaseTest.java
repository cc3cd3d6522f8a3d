package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sparkdnn.config.ConfigLoader;

/**
 * One writer per checkpoint directory, on a real HDFS: a second live writer is refused, a dead or silent one's lease
 * is taken over, a zombie that lost the lease writes nothing, dead writers' {@code _tmp-*} are swept, a stale
 * {@code latest} is reported, and a full disk fails the write leaving the last good checkpoint intact.
 */
class WriterLeaseTest {
    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(1);
    private static final long STALE = 60_000;

    private CheckpointStore store(String dir) {
        return new CheckpointStore(HDFS.uri(dir), HDFS.conf(), new ConfigLoader().json());
    }

    private static String host() throws Exception {
        return java.net.InetAddress.getLocalHost().getHostName();
    }

    @Test
    void aSecondLiveWriterIsRefusedNamingTheHolder() throws Exception {
        CheckpointStore first = store("/lease/a");
        first.acquireLease("run-one", STALE);
        CheckpointStore second = store("/lease/a");
        CheckpointException e = assertThrows(CheckpointException.class, () -> second.acquireLease("run-two", STALE));
        assertTrue(e.getMessage().contains("is being written by run run-one (host " + host() + ", pid "
                + ProcessHandle.current().pid()) && e.getMessage().contains("use another checkpoint.dir"), e.getMessage());
        first.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        first.releaseLease();
        second.acquireLease("run-two", STALE);
        second.write(CheckpointStoreHdfsTest.manifest(20, null), CheckpointStoreHdfsTest.model(20));
        assertEquals(List.of(10L, 20L), second.steps());
    }

    /** On the local file system the lease is replaced by rename at every heartbeat: it must stay readable. */
    @Test
    void heartbeatsOnTheLocalFileSystemKeepTheLeaseReadable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        CheckpointStore store = new CheckpointStore(dir.toUri().toString(), new org.apache.hadoop.conf.Configuration(),
                new ConfigLoader().json());
        store.acquireLease("local-run", STALE);
        for (int i = 0; i < 5; i++) {
            store.heartbeat();
            store.write(CheckpointStoreHdfsTest.manifest(10L * (i + 1), null), CheckpointStoreHdfsTest.model(i));
        }
        assertEquals(List.of(10L, 20L, 30L, 40L, 50L), store.steps());
        CheckpointException e = assertThrows(CheckpointException.class, () -> new CheckpointStore(
                dir.toUri().toString(), new org.apache.hadoop.conf.Configuration(), new ConfigLoader().json())
                .acquireLease("second", STALE));
        assertTrue(e.getMessage().contains("run local-run"), e.getMessage());
        store.releaseLease();
        assertTrue(new ConfigLoader().json().readTree(dir.resolve("_writer.lease.g0000000001").toFile())
                .get("released").asBoolean(), "a released lease keeps its generation");
        new CheckpointStore(dir.toUri().toString(), new org.apache.hadoop.conf.Configuration(),
                new ConfigLoader().json()).acquireLease("third", STALE);
    }

    @Test
    void aDeadProcessOrASilentHostLosesItsLeaseAndAZombieWritesNothing() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        WriterIdentity me = WriterIdentity.current();
        CheckpointStore zombie = store("/lease/b");
        zombie.acquireLease("killed-run", STALE, new FakeLeaseClock(0), new WriterIdentity(me.host(), me.bootId(),
                me.container(), me.pidNamespace(), exited.pid(), -1)); // its process has exited since
        CheckpointStore restarted = store("/lease/b");
        restarted.acquireLease("restarted", STALE);
        CheckpointException lost = assertThrows(CheckpointException.class,
                () -> zombie.write(CheckpointStoreHdfsTest.manifest(5, null), CheckpointStoreHdfsTest.model(5)));
        assertTrue(lost.getMessage().contains("run killed-run lost the writer lease") && lost.getMessage()
                .contains("to run restarted"), lost.getMessage());
        assertTrue(restarted.steps().isEmpty(), "the zombie wrote nothing");

        WriterIdentity elsewhere = new WriterIdentity("some-other-host", "boot", "", "pid:[1]", 1, 1);
        store("/lease/c").acquireLease("elsewhere", STALE, new FakeLeaseClock(0), elsewhere);
        FakeLeaseClock taker = new FakeLeaseClock(0);
        store("/lease/c").acquireLease("taker", STALE, taker, me);
        assertEquals(STALE, taker.elapsedMillis(), "a silent host's lease is taken after the stale time");
        CheckpointStore speaking = store("/lease/d");
        speaking.acquireLease("elsewhere", STALE, new FakeLeaseClock(0), elsewhere);
        FakeLeaseClock watching = new FakeLeaseClock(0);
        watching.onSleep(() -> {
            try {
                speaking.heartbeat();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThrows(CheckpointException.class, () -> store("/lease/d").acquireLease("taker", STALE, watching, me),
                "a host that heartbeats still holds it");
        assertEquals(1000, watching.elapsedMillis(), "refused at its first heartbeat");
    }

    @Test
    void deadWritersTemporariesAreSweptAndAStaleLatestIsReported() throws Exception {
        CheckpointStore store = store("/lease/e");
        store.acquireLease("r1", STALE);
        store.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        store.write(CheckpointStoreHdfsTest.manifest(20, null), CheckpointStoreHdfsTest.model(20));
        store.releaseLease();
        FileSystem fs = HDFS.cluster().getFileSystem();
        fs.mkdirs(new Path("/lease/e/_tmp-ckpt-0000000030-123"));
        try (FSDataOutputStream out = fs.create(new Path("/lease/e/latest"), true)) {
            out.write("ckpt-0000000010".getBytes(StandardCharsets.UTF_8));
        }
        List<String> problems = new ArrayList<>();
        assertEquals(20, store.loadLatestValid(problems).orElseThrow().manifest().step());
        assertEquals(List.of("latest names ckpt-0000000010 but the newest checkpoint is ckpt-0000000020"), problems);
        store("/lease/e").acquireLease("r2", STALE);
        assertFalse(fs.exists(new Path("/lease/e/_tmp-ckpt-0000000030-123")), "swept at acquisition");
    }

    @Test
    void aFullDiskFailsTheWriteAndLeavesTheLastGoodCheckpoint() throws Exception {
        CheckpointStore store = store("/lease/full");
        store.acquireLease("r", STALE);
        store.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        DistributedFileSystem dfs = HDFS.cluster().getFileSystem();
        dfs.setQuota(new Path("/lease/full"), org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET, 1024);
        try {
            Exception e = assertThrows(Exception.class,
                    () -> store.write(CheckpointStoreHdfsTest.manifest(20, null), CheckpointStoreHdfsTest.model(20)));
            assertTrue(String.valueOf(e).contains("Quota"), String.valueOf(e));
        } finally {
            dfs.setQuota(new Path("/lease/full"), org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET,
                    org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_RESET);
        }
        assertEquals(List.of(10L), store.steps());
        assertEquals(10, store.load(10).manifest().step(), "the last good checkpoint verifies");
        for (org.apache.hadoop.fs.FileStatus s : dfs.listStatus(new Path("/lease/full"))) {
            assertFalse(s.getPath().getName().matches("_tmp-.*ckpt.*"), "no partial checkpoint left: " + s.getPath());
        }
    }
}

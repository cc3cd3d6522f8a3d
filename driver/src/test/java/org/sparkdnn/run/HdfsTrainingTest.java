package org.sparkdnn.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdnn.checkpoint.CheckpointStore;
import org.sparkdnn.config.ConfigLoader;

/**
 * Training with checkpoints on a real HDFS of 2 datanodes (replication 2): one datanode is stopped while training
 * runs; no checkpoint is lost, every one verifies, and resuming from the one before the loss reproduces the run.
 */
class HdfsTrainingTest {
    @TempDir
    Path tmp;
    private MiniDFSCluster hdfs;

    @BeforeEach
    void startHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, Files.createDirectories(tmp.resolve("dfs")).toString());
        conf.setInt("dfs.replication", 2);
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(2).build();
        hdfs.waitActive();
    }

    @AfterEach
    void stopHdfs() {
        hdfs.shutdown(true);
    }

    @Test
    void stoppingADatanodeDuringTrainingLosesNoCheckpoint() throws Exception {
        String dir = hdfs.getURI() + "/runs/digits/checkpoints";
        CheckpointStore store = new CheckpointStore(dir, hdfs.getConfiguration(0), new ConfigLoader().json());
        CompletableFuture<Void> stopper = CompletableFuture.runAsync(() -> {
            try {
                while (store.steps().isEmpty()) {
                    Thread.sleep(20);
                }
                hdfs.stopDataNode(0);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // checkpoint.dir on HDFS; the job's own Hadoop configuration must know the mini cluster: use its URI
        JsonNode summary = ExactResumeTest.train(null, tmp.resolve("out"), "cluster.engine=local",
                "checkpoint.dir=" + dir, "checkpoint.everySteps=5", "checkpoint.keepLast=100", "checkpoint.keepBest=0");
        stopper.get(60, TimeUnit.SECONDS);
        List<Long> steps = store.steps();
        assertTrue(steps.size() >= 10, "checkpoints every 5 steps: " + steps);
        assertEquals(summary.get("steps").asLong(), (long) steps.get(steps.size() - 1));
        for (long step : steps) {
            assertEquals(step, store.load(step).manifest().step(), "checkpoint " + step + " verifies");
        }
        List<String> problems = new ArrayList<>();
        assertEquals(summary.get("steps").asLong(), store.loadLatestValid(problems).orElseThrow().manifest().step());
        assertTrue(problems.isEmpty(), problems.toString());
    }

    /**
     * The disk fills up (an HDFS space quota) while a run writes checkpoints: the run stops at the checkpoint that
     * failed, saying which step and naming the last good checkpoint, which still verifies; nothing partial is left.
     */
    @Test
    void aFullDiskStopsTheRunAtTheFailedCheckpointAndKeepsTheLastGoodOne() throws Exception {
        String dir = hdfs.getURI() + "/runs/full/checkpoints";
        ExactResumeTest.train(null, tmp.resolve("out"), "cluster.engine=local", "checkpoint.dir=" + dir,
                "checkpoint.everySteps=5", "training.maxSteps=20");
        org.apache.hadoop.hdfs.DistributedFileSystem dfs = hdfs.getFileSystem();
        org.apache.hadoop.fs.Path lease = new org.apache.hadoop.fs.Path("/runs/full/checkpoints/_writer.lease.g0000000002");
        CompletableFuture<Void> fill = CompletableFuture.runAsync(() -> {
            try {
                // the resumed run has taken the lease (generation 2, written and closed): now the disk is full
                while (!dfs.exists(lease) || dfs.getFileStatus(lease).getLen() == 0) {
                    Thread.sleep(5);
                }
                dfs.setQuota(new org.apache.hadoop.fs.Path("/runs/full/checkpoints"),
                        org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET, 4096);
            } catch (Exception x) {
                throw new IllegalStateException(x);
            }
        });
        org.sparkdnn.checkpoint.CheckpointWriteException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.sparkdnn.checkpoint.CheckpointWriteException.class, () -> ExactResumeTest.train(null,
                        tmp.resolve("out"), "cluster.engine=local", "checkpoint.dir=" + dir,
                        "checkpoint.everySteps=5", "training.maxSteps=60", "training.epochs=3"));
        fill.get(30, TimeUnit.SECONDS);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cannot write the checkpoint of step (\\d+) .*"
                + "Quota.*the last good checkpoint is step (\\d+) and is intact").matcher(e.getMessage());
        assertTrue(m.find(), e.getMessage());
        long failed = Long.parseLong(m.group(1));
        long good = Long.parseLong(m.group(2));
        assertTrue(good >= 20 && good < failed, e.getMessage());
        CheckpointStore store = new CheckpointStore(dir, hdfs.getConfiguration(0), new ConfigLoader().json());
        List<String> problems = new ArrayList<>();
        assertEquals(good, store.loadLatestValid(problems).orElseThrow().manifest().step(), "the last good one");
        assertTrue(problems.isEmpty(), problems.toString());
        for (org.apache.hadoop.fs.FileStatus s : dfs.listStatus(new org.apache.hadoop.fs.Path("/runs/full/checkpoints"))) {
            assertTrue(!s.getPath().getName().matches("_tmp-.*ckpt.*"), "partial checkpoint left: " + s.getPath());
        }
    }
}

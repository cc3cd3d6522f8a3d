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
}

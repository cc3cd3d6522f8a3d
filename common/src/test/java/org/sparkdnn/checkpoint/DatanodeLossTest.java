package org.sparkdnn.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.sparkdnn.config.ConfigLoader;

/** With 2 datanodes and replication 2, losing a datanode mid-run loses no checkpoint and later ones still write. */
class DatanodeLossTest {
    @RegisterExtension
    static final MiniHdfs HDFS = new MiniHdfs(2);

    @Test
    void stoppingOneOfTwoDatanodesLosesNoCheckpoint() throws Exception {
        CheckpointStore store = new CheckpointStore(HDFS.uri("/runs/dn/checkpoints"), HDFS.conf(), new ConfigLoader().json());
        store.write(CheckpointStoreHdfsTest.manifest(10, null), CheckpointStoreHdfsTest.model(10));
        store.write(CheckpointStoreHdfsTest.manifest(20, null), CheckpointStoreHdfsTest.model(20));
        HDFS.cluster().stopDataNode(0);
        store.write(CheckpointStoreHdfsTest.manifest(30, null), CheckpointStoreHdfsTest.model(30));
        assertEquals(List.of(10L, 20L, 30L), store.steps());
        for (long step : new long[] {10, 20, 30}) {
            assertArrayEquals(CheckpointStoreHdfsTest.model(step).get(CheckpointStore.MODEL), store.load(step).model(),
                    "checkpoint " + step + " readable after the datanode loss");
        }
    }
}

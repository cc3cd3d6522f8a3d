package org.sparkdnn.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** A real HDFS (MiniDFSCluster, namenode + datanodes in this JVM) for a test class; always shut down. */
public final class MiniHdfs implements BeforeAllCallback, AfterAllCallback {
    private final int datanodes;
    private MiniDFSCluster cluster;
    private Path base;

    public MiniHdfs(int datanodes) {
        this.datanodes = datanodes;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        base = Files.createTempDirectory("minidfs");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        conf.setInt("dfs.replication", Math.min(2, datanodes));
        conf.setLong("dfs.blocksize", 4L << 20);
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(datanodes).build();
        cluster.waitActive();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    public MiniDFSCluster cluster() {
        return cluster;
    }

    public Configuration conf() {
        return cluster.getConfiguration(0);
    }

    /** {@code hdfs://host:port/path}. */
    public String uri(String path) {
        return cluster.getURI().toString() + path;
    }
}

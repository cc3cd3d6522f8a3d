package org.sparkdnn.engine;

import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.Engine;

/**
 * Stops what DL4J's {@code shared} trainer leaves running in this JVM after {@code fit}: the process-wide
 * {@code ModelParameterServer} (Aeron media driver, transport threads) and {@code SharedTrainingWrapper}'s
 * ParallelWrapper threads. In local mode the executors are this JVM, so this releases everything; on a cluster the
 * executors' copies end with the application.
 */
final class Dl4jShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(Dl4jShutdown.class);
    /** Ids no SharedTrainingMaster uses (its ids are non-negative): asking for one resets the wrapper singleton. */
    private static final AtomicLong RESET_ID = new AtomicLong(Long.MIN_VALUE + 1);

    private Dl4jShutdown() {
    }

    static synchronized void all(Engine engine) {
        if (engine != Engine.SHARED) {
            return;
        }
        try {
            SharedTrainingWrapper.getInstance(RESET_ID.getAndIncrement());
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not stop DL4J's ParallelWrapper threads: {}", e.toString());
        }
        try {
            ModelParameterServer server = ModelParameterServer.getInstance();
            if (server.isInitialized()) {
                server.shutdown();
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not stop DL4J's parameter server: {}", e.toString());
        }
    }
}

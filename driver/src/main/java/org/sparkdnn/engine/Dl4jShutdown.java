package org.sparkdnn.engine;

import java.lang.reflect.Field;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import org.deeplearning4j.spark.parameterserver.pw.SharedTrainingWrapper;
import org.nd4j.parameterserver.distributed.v2.ModelParameterServer;
import org.nd4j.parameterserver.distributed.v2.transport.Transport;
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
            Transport transport = server.getTransport();
            if (server.isInitialized()) {
                server.shutdown();
            }
            stopMessageThreads(transport);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("could not stop DL4J's parameter server: {}", e.toString());
        }
    }

    /**
     * AeronUdpTransport's shutdown leaves its message threads behind (measured: 4 per run): it calls
     * {@code shutdown()}, not {@code shutdownNow()}, on their executor, so two wait in {@code take()} forever, and
     * its subscription poller is a {@code while (true)} loop that keeps polling the closed subscription every
     * microsecond. The first are interrupted; the poller ends when its subscription field is cleared (its
     * NullPointerException is swallowed by a handler set on it first).
     */
    private static void stopMessageThreads(Transport transport) {
        if (transport == null) {
            return;
        }
        try {
            Field field = transport.getClass().getDeclaredField("messagesExecutorService");
            field.setAccessible(true);
            Object executor = field.get(transport);
            if (executor instanceof ExecutorService service) {
                service.shutdownNow();
            }
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                for (StackTraceElement frame : t.getStackTrace()) {
                    if (frame.getClassName().startsWith(transport.getClass().getName() + "$")) {
                        t.setUncaughtExceptionHandler((thread, error) -> LOG.debug("DL4J poller stopped: {}",
                                error.toString()));
                        break;
                    }
                }
            }
            Field subscription = transport.getClass().getDeclaredField("ownSubscription");
            subscription.setAccessible(true);
            subscription.set(transport, null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("could not stop the message threads of DL4J's transport {}: {}", transport.getClass(), e.toString());
        }
    }
}

package org.sparkdnn.task;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.BarrierTaskContext;

/** What both barrier task bodies of the {@code sync} engine ({@link EpochTask}, {@link PeerEpochTask}) do alike. */
final class BarrierWork {
    private BarrierWork() {
    }

    /** "worker w (stage attempt a), epoch e": how a task names itself in messages. */
    static String where(int worker, int attempt, int epoch) {
        return "worker " + worker + " (stage attempt " + attempt + "), epoch " + (epoch + 1);
    }

    /**
     * Before a step: a task Spark interrupted stops, and the injected fault ({@code cluster.faultInjection}) fires in
     * the stage's first attempt.
     */
    static void beforeStep(BarrierTaskContext context, WorkerSpec spec, int worker, int attempt, long step) {
        if (context.isInterrupted()) {
            throw new IllegalStateException("worker " + worker + " interrupted by Spark at step " + step);
        }
        if (attempt == 0 && worker == spec.failWorker() && step == spec.failStep()) {
            throw new IllegalStateException("injected fault: worker " + worker + " fails at step " + step
                    + " in stage attempt 0 (cluster.faultInjection)");
        }
    }

    /** The task's failure for Spark: a closed parameter-server connection says why that usually happens. */
    static UncheckedIOException failure(String where, IOException e) {
        return new UncheckedIOException(e instanceof EOFException ? where + ": the parameter server closed the "
                + "connection (another worker failed, or the run ended)" : where + ": " + e, e);
    }
}

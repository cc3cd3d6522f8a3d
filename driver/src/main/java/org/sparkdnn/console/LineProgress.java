package org.sparkdnn.console;

import java.io.PrintStream;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.sparkdnn.metrics.Evaluation;

/**
 * Plain progress lines, for output that is not a terminal: one line per epoch (loss, validation, examples/s, ETA),
 * and inside a long epoch a line at most every {@code intervalSeconds}.
 */
final class LineProgress implements Progress {
    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final int epochs;
    private final Eta eta;
    private final long intervalNanos;
    private long lastPrint;

    LineProgress(PrintStream out, LongSupplier nanoClock, int epochs, Eta eta, double intervalSeconds) {
        this.out = out;
        this.nanoClock = nanoClock;
        this.epochs = epochs;
        this.eta = eta;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.lastPrint = nanoClock.getAsLong();
    }

    @Override
    public void step(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss,
                     double examplesPerSecond) {
        long now = nanoClock.getAsLong();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            out.printf("epoch %d/%d  batch %d/%d  step %d  loss %.4f  %.0f examples/s  %s%n", epoch + 1, epochs,
                    batchInEpoch, batchesPerEpoch, step, loss, examplesPerSecond, eta.describe(step));
        }
    }

    @Override
    public void epoch(int epoch, long step, double trainLoss, Optional<Evaluation> validation,
                      double examplesPerSecond) {
        out.printf("epoch %d/%d  step %d  train loss %.4f%s  %.0f examples/s  %s%n", epoch + 1, epochs, step,
                trainLoss, Progress.describe(validation), examplesPerSecond, eta.describe(step));
        lastPrint = nanoClock.getAsLong();
    }

    @Override
    public void line(String text) {
        out.println(text);
    }

    @Override
    public void close() {
        out.flush();
    }
}

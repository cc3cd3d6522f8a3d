package org.sparkdnn.run;

import java.io.PrintStream;
import java.util.function.LongSupplier;

/** The console progress line: epoch n/N, step, loss, examples/s; at most one line per interval. */
final class Progress {
    private final PrintStream out;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private final int epochs;
    private long lastPrint;

    Progress(PrintStream out, LongSupplier nanoClock, double intervalSeconds, int epochs) {
        this.out = out;
        this.nanoClock = nanoClock;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.epochs = epochs;
        this.lastPrint = nanoClock.getAsLong();
    }

    void step(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss, double examplesPerSecond) {
        long now = nanoClock.getAsLong();
        if (now - lastPrint >= intervalNanos) {
            lastPrint = now;
            out.printf("epoch %d/%d  batch %d/%d  step %d  loss %.4f  %.0f examples/s%n", epoch + 1, epochs,
                    batchInEpoch, batchesPerEpoch, step, loss, examplesPerSecond);
        }
    }

    void epoch(int epoch, long step, double trainLoss, String validation) {
        out.printf("epoch %d/%d done  step %d  train loss %.4f%s%n", epoch + 1, epochs, step, trainLoss, validation);
        lastPrint = nanoClock.getAsLong();
    }

    void line(String text) {
        out.println(text);
    }
}

package org.sparkdnn.console;

import java.io.PrintStream;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.sparkdnn.metrics.Evaluation;

/**
 * The console side of the training loop: told of every step and every finished epoch, it decides what to print.
 * {@link BarProgress} draws a live bar per epoch on a terminal; {@link LineProgress} prints plain lines (CI,
 * spark-submit logs, pipes).
 */
public interface Progress extends AutoCloseable {
    /** After each optimizer step; {@code batchInEpoch} counts from 1. */
    void step(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss, double examplesPerSecond);

    /** After an epoch's validation: the mean training loss of its batches and the validation metrics, if any. */
    void epoch(int epoch, long step, double trainLoss, Optional<Evaluation> validation, double examplesPerSecond);

    /** A message between progress updates (early stopping, resume). */
    void line(String text);

    @Override
    void close();

    /**
     * @param bar        a live bar (a terminal) or plain lines
     * @param epochs     the run's planned epochs
     * @param firstStep  the step the run starts at (0, or a checkpoint's)
     * @param totalSteps the step the run is planned to end at
     */
    static Progress create(PrintStream out, boolean bar, LongSupplier nanoClock, int epochs, long firstStep,
                           long totalSteps) {
        Eta eta = new Eta(nanoClock, firstStep, totalSteps);
        return bar ? new BarProgress(out, epochs, eta, BarProgress.terminalWidth()) : new LineProgress(out, nanoClock, epochs, eta, 10.0);
    }

    /** "validation loss 0.2030  accuracy 0.9444" (or mse), for epoch lines. */
    static String describe(Optional<Evaluation> validation) {
        if (validation.isEmpty()) {
            return "";
        }
        Evaluation v = validation.get();
        String metric = v.accuracy().isPresent() ? String.format("  accuracy %.4f", v.accuracy().getAsDouble())
                : v.mse().isPresent() ? String.format("  mse %.4f", v.mse().getAsDouble()) : "";
        return String.format("  validation loss %.4f%s", v.loss(), metric);
    }
}

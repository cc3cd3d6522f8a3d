package org.sparkdnn.console;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.sparkdnn.metrics.Evaluation;

/**
 * A live bar per epoch on a terminal (me.tongfei:progressbar): batches done, the epoch's elapsed time and ETA, and
 * the latest loss, the last validation accuracy, examples/s and the whole run's ETA. A finished epoch's bar stays on
 * screen with the epoch's train loss and validation metrics.
 */
final class BarProgress implements Progress {
    private final PrintStream out;
    private final int epochs;
    private final Eta eta;
    private final int width;
    private Optional<ProgressBar> bar = Optional.empty();
    private int barEpoch = -1;
    private String lastValidation = "";

    /** @param width the terminal's width in columns (the bar adapts its length; longer lines are cut) */
    BarProgress(PrintStream out, int epochs, Eta eta, int width) {
        this.out = out;
        this.epochs = epochs;
        this.eta = eta;
        this.width = width;
    }

    /** The terminal's width, or 160 columns when it reports none (a dumb terminal reports 0: nothing would show). */
    static int terminalWidth() {
        try (Terminal terminal = TerminalBuilder.builder().dumb(true).build()) {
            return terminal.getWidth() > 0 ? terminal.getWidth() - 1 : 160;
        } catch (IOException e) {
            return 160;
        }
    }

    @Override
    public void step(int epoch, long step, int batchInEpoch, int batchesPerEpoch, double loss,
                     double examplesPerSecond) {
        if (bar.isEmpty() || barEpoch != epoch) {
            open(epoch, batchInEpoch - 1, batchesPerEpoch);
        }
        ProgressBar b = bar.get();
        b.stepTo(batchInEpoch);
        b.setExtraMessage(String.format("step %d  loss %.4f%s  %.0f ex/s  run %s", step, loss, lastValidation,
                examplesPerSecond, eta.describe(step)));
    }

    private void open(int epoch, int done, int batchesPerEpoch) {
        close();
        bar = Optional.of(new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", epoch + 1, epochs))
                .setInitialMax(batchesPerEpoch)
                .startsFrom(done, Duration.ZERO)
                .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                .setUpdateIntervalMillis(250)
                .setConsumer(new ConsoleProgressBarConsumer(out, width))
                .build());
        barEpoch = epoch;
    }

    @Override
    public void epoch(int epoch, long step, double trainLoss, Optional<Evaluation> validation,
                      double examplesPerSecond) {
        lastValidation = validation.flatMap(v -> v.accuracy().isPresent()
                ? Optional.of(String.format("  val acc %.4f", v.accuracy().getAsDouble())) : Optional.empty())
                .orElse("");
        bar.ifPresent(b -> b.setExtraMessage(String.format("train loss %.4f%s  %.0f ex/s", trainLoss,
                Progress.describe(validation), examplesPerSecond)));
        close();
    }

    @Override
    public void line(String text) {
        close();
        out.println(text);
    }

    @Override
    public void close() {
        bar.ifPresent(ProgressBar::close);
        bar = Optional.empty();
    }
}

package org.sparkdnn.cli;

import picocli.CommandLine.Option;

/** {@code --progress auto|bar|lines} for the commands that train. */
final class ProgressOption {
    enum Mode { AUTO, BAR, LINES }

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto",
            description = "bar (a live progress bar), lines (a line per epoch, and every 10 s inside long epochs) or "
                    + "auto: a bar when the console is a terminal (default: ${DEFAULT-VALUE}).")
    Mode mode = Mode.AUTO;

    boolean bar() {
        return mode == Mode.BAR || (mode == Mode.AUTO && System.console() != null);
    }
}

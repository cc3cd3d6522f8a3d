package org.sparkdnn.run;

/** The loss or a gradient became NaN/Inf: training stops; the last good checkpoint and outputs stay intact. */
public final class DivergenceException extends RuntimeException {
    public DivergenceException(String message) {
        super(message);
    }
}

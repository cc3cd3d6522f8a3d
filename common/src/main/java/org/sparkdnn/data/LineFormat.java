package org.sparkdnn.data;

import java.io.Serializable;

/**
 * A text format read line by line — on the executors, one split at a time ({@code DistributedRows}): which lines hold
 * no example, and one example line as floats (its features, then its label). Errors name file and line.
 */
public interface LineFormat extends Serializable {
    /** Whether this line holds no example ({@code firstLineOfFile}: it is line 1 of its file, e.g. a header). */
    boolean skips(boolean firstLineOfFile, String line);

    /**
     * Line {@code lineNo} of {@code uri}: its features, then its label; {@code columns} is the row width seen so far
     * (negative on a split's first row).
     */
    float[] row(String uri, long lineNo, String line, int columns);
}

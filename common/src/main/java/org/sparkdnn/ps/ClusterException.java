package org.sparkdnn.ps;

/**
 * The cluster side of a distributed run failed in a way the run cannot repair: workers did not register in time, the
 * Spark job of an epoch failed for good, or it did not finish. The message says what was waited for and which
 * setting bounds it; the command line exits with its own status (see Main).
 */
public final class ClusterException extends RuntimeException {
    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}

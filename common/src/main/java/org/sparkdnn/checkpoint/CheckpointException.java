package org.sparkdnn.checkpoint;

/** A checkpoint that cannot be written, or a resume that cannot proceed; the message says which and why. */
public final class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}

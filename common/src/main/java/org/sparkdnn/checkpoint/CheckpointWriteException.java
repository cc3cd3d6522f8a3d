package org.sparkdnn.checkpoint;

/**
 * A checkpoint could not be written (disk full, no permission, the file system gone): the run stops at that
 * checkpoint, and the directory still holds the last good one (a failed write leaves no partial checkpoint).
 */
public final class CheckpointWriteException extends RuntimeException {
    public CheckpointWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}

package org.sparkdnn.ps;

import java.io.IOException;

/**
 * A frame failed its MAC ({@link FrameMac}): the connection is closed and treated as a lost worker (the stage is
 * retried), and the message names the connection and the frame's sequence number.
 */
public final class FrameIntegrityException extends IOException {
    public FrameIntegrityException(String message) {
        super(message);
    }
}

package org.sparkdnn.ps.server;

/** A registered worker's connection broke during a step; the step was not applied. */
public final class WorkerLostException extends Exception {
    public WorkerLostException(String message, Throwable cause) {
        super(message, cause);
    }
}

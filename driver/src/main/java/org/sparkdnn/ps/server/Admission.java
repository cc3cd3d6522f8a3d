package org.sparkdnn.ps.server;

import java.util.List;
import org.sparkdnn.ps.PsMessage;

/**
 * The server's answer to an authenticated Hello: the frames to send, in order, and whether the connection took its
 * worker's slot. Decided under the server's lock; sent after it is released ({@link Connection#answer}).
 */
record Admission(List<PsMessage> replies, boolean registered) {

    static Admission refused(String reason) {
        return new Admission(List.of(new PsMessage.Reject(reason)), false);
    }

    /**
     * Why a Hello that authenticated cannot register, or null. The reason names only the server's own values and
     * the Hello's numbers, never its job id (the worker's own message names that): a Reject is short and echoes no
     * client text.
     */
    static String refusal(String jobId, int workers, int epoch, int attempt, PsMessage.Hello h) {
        if (!jobId.equals(h.jobId())) {
            return "this parameter server serves job " + jobId + ", not the Hello's (a task of an earlier run still "
                    + "alive?)";
        }
        if (h.worker() < 0 || h.worker() >= workers) {
            return "worker index " + h.worker() + " outside 0.." + (workers - 1);
        }
        if (h.epoch() != epoch) {
            return "stale: the worker holds epoch " + (h.epoch() + 1) + ", the server is in epoch " + (epoch + 1);
        }
        if (h.stageAttempt() < attempt) {
            return "stale stage attempt " + h.stageAttempt() + "; attempt " + attempt + " is running";
        }
        return null;
    }
}

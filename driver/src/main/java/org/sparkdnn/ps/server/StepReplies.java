package org.sparkdnn.ps.server;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.nd4j.linalg.api.buffer.DataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.model.BatchNormExchange;
import org.sparkdnn.ps.PsMessage;

/**
 * What the parameter server checks in the replies of a step's round, and what it makes of them: whether a reply is
 * this step's (not a late one of a failed attempt), whether a gradient fits the model and its shard, the merge of a
 * synchronized BatchNorm round. A reply found at fault fails the step like a lost worker; nothing of it is used.
 */
final class StepReplies {
    private static final Logger LOG = LoggerFactory.getLogger(StepReplies.class);

    private StepReplies() {
    }

    /** Whether {@code reply} on connection {@code from} belongs to job {@code jobId}'s step {@code step}; logs why not. */
    static boolean current(String jobId, PsMessage.Reply reply, Connection from, long step) {
        String stale = !jobId.equals(reply.jobId()) ? "it belongs to job " + reply.jobId() + ", not " + jobId
                : reply.worker() != from.worker() ? "it claims worker " + reply.worker() + " on the connection of "
                + from
                : reply.stageAttempt() != from.attempt() ? "it comes from stage attempt " + reply.stageAttempt()
                : reply.step() != step ? "it is for step " + reply.step() + " but the server is at step " + step
                        + " (a late reply of a failed attempt?)"
                : null;
        if (stale != null) {
            LOG.warn("rejected {}: {}", reply, stale);
        }
        return stale == null;
    }

    /**
     * What is wrong with worker w's gradient, or null: it must have the model's length and type and, unless
     * {@code shardRows} is null, cover exactly its shard.
     */
    static BiFunction<Integer, PsMessage.Gradient, String> gradientCheck(long parameters, DataType type,
                                                                       int[] shardRows) {
        return (w, g) -> g.gradient().length() != parameters || g.gradient().dataType() != type || g.examples() < 0
                || (shardRows != null && g.examples() != shardRows[w])
                ? "a malformed gradient: " + g.gradient().length() + " " + g.gradient().dataType()
                + " values for a model of " + parameters + " " + type + ", " + g.examples() + " examples"
                + (shardRows != null ? " for a shard of " + shardRows[w] : "")
                : null;
    }

    /** A round's replies as the step's gradients, each checked. */
    static PsMessage.Gradient[] gradients(long step, Connection[] current, PsMessage.Reply[] replies,
                                          BiFunction<Integer, PsMessage.Gradient, String> check)
            throws WorkerLostException {
        PsMessage.Gradient[] gradients = new PsMessage.Gradient[replies.length];
        for (int w = 0; w < replies.length; w++) {
            String wrong = replies[w] instanceof PsMessage.Gradient g ? check.apply(w, g)
                    : "a " + replies[w] + " where the other workers sent their gradients";
            if (wrong != null) {
                throw new WorkerLostException(current[w] + " sent " + wrong + " for step " + step, null);
            }
            gradients[w] = (PsMessage.Gradient) replies[w];
        }
        return gradients;
    }

    /** The merged statistics of collective {@code pass}: every reply must be that pass's vector, of one layer. */
    static PsMessage.BatchNormMerged mergeBatchNorm(long step, int pass, Connection[] current,
                                                    PsMessage.Reply[] replies) throws WorkerLostException {
        List<double[]> vectors = new ArrayList<>(replies.length);
        for (int w = 0; w < replies.length; w++) {
            if (!(replies[w] instanceof PsMessage.BatchNormStats b) || b.pass() != pass) {
                throw new WorkerLostException(current[w] + " sent " + replies[w] + " where BatchNorm pass " + pass
                        + " of step " + step + " was due", null);
            }
            vectors.add(b.values());
        }
        try {
            BatchNormExchange.Merged merged = BatchNormExchange.merge(vectors);
            return new PsMessage.BatchNormMerged(step, pass, merged.writer(), merged.values());
        } catch (IllegalArgumentException e) {
            throw new WorkerLostException("step " + step + ", BatchNorm pass " + pass + ": " + e.getMessage(), e);
        }
    }
}

package org.sparkdnn.model;

import java.util.function.Supplier;

/**
 * Which optimizer step and which positions (in its global batch) the rows of the batch now being trained on this
 * thread have: what {@link CounterDropout} keys its masks by. Engines set it around each forward/backward pass.
 */
public final class DropoutContext {
    private static final ThreadLocal<Batch> CURRENT = new ThreadLocal<>();

    private DropoutContext() {
    }

    /** @param positions per row of the batch, its position in the global batch */
    public record Batch(long step, int[] positions) {
    }

    public static Batch current() {
        return CURRENT.get();
    }

    /**
     * The keys of a batch of {@code rows} rows now being trained on this thread: the batch the engine set, checked
     * against the rows; without one (DL4J's own trainers, a user's {@code fit}), DL4J's iteration count as the step
     * and each row's index in the minibatch as its position.
     */
    public static Batch of(int rows, long iteration) {
        Batch batch = CURRENT.get();
        if (batch == null) {
            return new Batch(iteration, range(0, rows));
        }
        if (batch.positions().length != rows) {
            throw new IllegalStateException("dropout context names " + batch.positions().length + " rows, the batch "
                    + "has " + rows);
        }
        return batch;
    }

    /** Runs {@code body} with the batch set on this thread. */
    public static <T> T with(long step, int[] positions, Supplier<T> body) {
        Batch previous = CURRENT.get();
        CURRENT.set(new Batch(step, positions));
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** Positions {@code offset .. offset + rows - 1}: a contiguous shard (or the whole batch at offset 0). */
    public static int[] range(int offset, int rows) {
        int[] p = new int[rows];
        for (int i = 0; i < rows; i++) {
            p[i] = offset + i;
        }
        return p;
    }
}

package org.sparkdnn.step;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Where a worker's compute thread and its exchange thread meet within a step ({@code cluster.peer.overlap}). The backward
 * pass reports each layer whose gradient is final ({@link #backwardDone}); the gradient's final part is the longest
 * run of finished layers at the end of the flat vector, [{@code gradientFrom}, n), which the reduce-scatter may send
 * ({@link #awaitGradient}). The all-gather reports the prefix of the parameters it has filled in ({@link #gatheredTo});
 * a layer's forward pass waits until its parameters are in ({@link #awaitGathered}). A failure of the exchange
 * ({@link #fail}) wakes every waiter with it. Waits end at the step deadline.
 */
public final class ExchangeProgress {
    private final long n;
    private final long[] starts; // the layers' parameter ranges, sorted, tiling [0, n)
    private final boolean[] done;
    private final long timeoutNanos;
    private int top; // ranges [top, starts.length) are finished
    private long gradientFrom;
    private long gathered;
    private IOException failure;
    private long gatherWaitNanos;
    private SideTask side; // handed over by the compute thread, not yet taken by the exchange thread
    private boolean sideDone;
    /** Tests: told each new {@code gradientFrom} on the backward pass's thread, while the pass waits. */
    LongConsumer onFinal = from -> { };

    /**
     * @param starts the first parameter of each layer that has parameters, in increasing order; if the layers do
     *               not tile [0, n) nothing is final before {@link #allReady}
     */
    public ExchangeProgress(long n, long[] starts, long timeoutMillis) {
        this.n = n;
        this.starts = starts.clone();
        this.done = new boolean[starts.length];
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        this.top = starts.length;
        this.gradientFrom = n;
        this.gathered = n;
    }

    /** A new backward pass: nothing of the gradient is final. */
    public synchronized void beginBackward() {
        Arrays.fill(done, false);
        top = starts.length;
        gradientFrom = n;
    }

    /** The backward pass finished the layer whose parameters start at {@code start}. */
    public synchronized void backwardDone(long start) {
        int i = Arrays.binarySearch(starts, start);
        if (i < 0) {
            return;
        }
        done[i] = true;
        while (top > 0 && done[top - 1]) {
            top--;
        }
        gradientFrom = top == starts.length ? n : starts[top];
        onFinal.accept(gradientFrom);
        notifyAll();
    }

    /** The whole gradient is final (after the backward pass, or an empty shard's zeros). */
    public synchronized void allReady() {
        top = 0;
        gradientFrom = 0;
        notifyAll();
    }

    /**
     * The backward pass of an idle worker (an empty shard) reached the layers whose parameters start at or after
     * {@code from}: they count as finished, as a worker with rows would have finished them by then.
     */
    public synchronized void doneFrom(long from) {
        for (int i = 0; i < starts.length; i++) {
            if (starts[i] >= from) {
                done[i] = true;
            }
        }
        while (top > 0 && done[top - 1]) {
            top--;
        }
        gradientFrom = top == starts.length ? n : starts[top];
        notifyAll();
    }

    /**
     * Blocks until the gradient's values [from, n) are final. Meanwhile it runs the collectives the compute thread
     * hands over ({@link #runOnExchange}): the exchange thread is between buckets here, and every worker reaches the
     * same collective at the same point of its bucket sequence (a collective of a layer's backward pass comes after the
     * buckets of the layers after it, which are final by then, and before its own), so the frames on each connection
     * come in the same order on both ends.
     */
    public void awaitGradient(long from) throws IOException {
        while (true) {
            SideTask task;
            synchronized (this) {
                long deadline = System.nanoTime() + timeoutNanos;
                while (gradientFrom > from && failure == null && side == null) {
                    waitUntil(deadline, "the backward pass");
                }
                if (failure != null) {
                    throw failure;
                }
                if (gradientFrom <= from) {
                    return;
                }
                task = side;
                side = null;
            }
            try {
                task.run();
            } catch (IOException | RuntimeException e) {
                IOException io = e instanceof IOException i ? i : new IOException(e);
                fail(io);
                throw io;
            }
            synchronized (this) {
                sideDone = true;
                notifyAll();
            }
        }
    }

    /** A collective the compute thread needs within its forward or backward pass (synchronized BatchNorm). */
    public interface SideTask {
        void run() throws IOException;
    }

    /**
     * Compute thread: has the exchange thread run {@code task} (it does while it waits for the gradient,
     * {@link #awaitGradient}) and waits until it has; a failure comes as an {@link UncheckedIOException} (the caller is
     * a layer inside DL4J's pass).
     */
    public synchronized void runOnExchange(SideTask task) {
        if (failure != null) {
            throw new UncheckedIOException(failure);
        }
        side = task;
        sideDone = false;
        notifyAll();
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (!sideDone && failure == null) {
                waitUntil(deadline, "a BatchNorm exchange");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!sideDone) {
            throw new UncheckedIOException(failure);
        }
    }

    /** A new all-gather: only the worker's own pieces of the parameters are this step's. */
    public synchronized void beginGather() {
        gathered = 0;
    }

    /** The all-gather has filled in the parameters [0, end). */
    public synchronized void gatheredTo(long end) {
        gathered = Math.max(gathered, end);
        notifyAll();
    }

    /**
     * Blocks until the parameters [0, end) are gathered: called by a layer's forward pass, so a failure comes as
     * an {@link UncheckedIOException}.
     */
    public synchronized void awaitGathered(long end) {
        if (gathered >= end) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + timeoutNanos;
        try {
            while (gathered < end && failure == null) {
                waitUntil(deadline, "the all-gather of the parameters");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            gatherWaitNanos += System.nanoTime() - start;
        }
        if (failure != null) {
            throw new UncheckedIOException(failure);
        }
    }

    /** Time the forward passes waited for the all-gather since the last call; resets it. */
    public synchronized long takeGatherWaitNanos() {
        long t = gatherWaitNanos;
        gatherWaitNanos = 0;
        return t;
    }

    /** The exchange failed: every wait, now and later, throws {@code e}. */
    public synchronized void fail(IOException e) {
        if (failure == null) {
            failure = e;
        }
        notifyAll();
    }

    private void waitUntil(long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new IOException("waited for " + what + " past the step deadline of "
                    + TimeUnit.NANOSECONDS.toSeconds(timeoutNanos) + " s");
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + what, e);
        }
    }
}

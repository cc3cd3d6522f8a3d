package org.sparkdnn.ps.peer;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * How the peer exchange cuts a flat vector of {@code n} values ({@code cluster.peer.bucketMB}): into buckets of
 * {@code bucket} consecutive values (the last may be shorter), and each bucket into k contiguous pieces, piece j
 * owned by worker j ({@link #sliceStart} within the bucket). A bucket is the unit the exchange moves at once:
 * the reduce-scatter sends a bucket as soon as the backward pass has finished its gradient, last bucket first, and
 * the all-gather fills in the parameters bucket by bucket, first bucket first, while the next forward pass waits
 * only for the layers it has reached. Worker j owns its piece of every bucket: 1/k of the values either way.
 * One bucket ({@code bucket ≥ n}) is the plain contiguous 1/k slice per worker.
 *
 * <p>The first bucket may be shorter ({@code first}): it is the last one the reduce-scatter can send (the first
 * layers' gradient comes last in the backward pass) and the first one the next forward pass needs, so it is the part
 * of the exchange that no computation hides; {@link #of} makes it at most 1 MiB (as PyTorch DDP's first bucket).
 *
 * @param n       the vector's length
 * @param workers k
 * @param bucket  values per bucket, ≥ 1
 * @param first   values of the first bucket, 1 ≤ first ≤ bucket
 */
public record Buckets(long n, int workers, long bucket, long first) implements Serializable {
    /** The first bucket of at most this many MiB. */
    public static final double FIRST_BUCKET_MB = 1.0;

    public Buckets {
        if (n < 0 || workers < 1 || bucket < 1 || first < 1 || first > bucket) {
            throw new IllegalArgumentException("buckets of " + bucket + " values (the first " + first + ") over " + n
                    + " values, " + workers + " workers");
        }
    }

    /** Buckets of {@code bucket} values, the first as long as the others. */
    public Buckets(long n, int workers, long bucket) {
        this(n, workers, bucket, bucket);
    }

    /** One bucket: each worker's piece is its contiguous 1/k slice of the whole vector. */
    public static Buckets whole(long n, int workers) {
        return new Buckets(n, workers, Math.max(1, n));
    }

    /**
     * The exchange's layout of {@code n} values {@code width} bytes wide ({@code cluster.peer.bucketMB}): buckets of
     * {@code megabytes} MiB, the first of at most {@link #FIRST_BUCKET_MB}.
     */
    public static Buckets of(long n, int workers, double megabytes, int width) {
        long bucket = values(megabytes, width);
        return new Buckets(n, workers, bucket, Math.min(bucket, values(FIRST_BUCKET_MB, width)));
    }

    /** Values per bucket of {@code megabytes} MiB of values {@code width} bytes wide (at least 1). */
    public static long values(double megabytes, int width) {
        return Math.max(1, (long) (megabytes * (1 << 20) / width));
    }

    public int count() {
        return n <= first ? 1 : (int) (1 + (n - first + bucket - 1) / bucket);
    }

    public long start(int b) {
        return b == 0 ? 0 : Math.min(n, first + (b - 1) * bucket);
    }

    public long end(int b) {
        return Math.min(n, first + b * bucket);
    }

    /** The first value of worker j's piece of bucket b. */
    public long pieceStart(int b, int j) {
        return start(b) + sliceStart(end(b) - start(b), workers, j);
    }

    public long pieceLength(int b, int j) {
        return sliceLength(end(b) - start(b), workers, j);
    }

    /** The longest piece of any bucket. */
    public long maxPiece() {
        long longest = end(0) - start(0);
        if (count() > 1) {
            longest = Math.max(longest, end(1) - start(1));
        }
        return sliceLength(longest, workers, 0);
    }

    /** The ranges [start, end) worker j owns, in order (empty pieces left out). */
    public List<long[]> owned(int j) {
        List<long[]> ranges = new ArrayList<>();
        for (int b = 0; b < count(); b++) {
            long length = pieceLength(b, j);
            if (length > 0) {
                ranges.add(new long[] {pieceStart(b, j), pieceStart(b, j) + length});
            }
        }
        return ranges;
    }

    /** The first value of worker {@code j}'s slice of {@code n} values. */
    public static long sliceStart(long n, int workers, int j) {
        return j * (n / workers) + Math.min(j, n % workers);
    }

    /** The length of worker {@code j}'s slice of {@code n} values. */
    public static long sliceLength(long n, int workers, int j) {
        return n / workers + (j < n % workers ? 1 : 0);
    }
}

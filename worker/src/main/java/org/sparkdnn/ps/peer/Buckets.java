package org.sparkdnn.ps.peer;

import java.util.ArrayList;
import java.util.List;

/**
 * How the peer exchange cuts a flat vector of {@code n} values ({@code cluster.bucketMB}): into buckets of
 * {@code bucket} consecutive values (the last may be shorter), and each bucket into k contiguous pieces, piece j
 * owned by worker j ({@link PeerMesh#sliceStart} within the bucket). A bucket is the unit the exchange moves at once:
 * the reduce-scatter sends a bucket as soon as the backward pass has finished its gradient, last bucket first, and
 * the all-gather fills in the parameters bucket by bucket, first bucket first, while the next forward pass waits
 * only for the layers it has reached. Worker j owns its piece of every bucket: 1/k of the values either way.
 * One bucket ({@code bucket ≥ n}) is the plain contiguous 1/k slice per worker.
 *
 * @param n       the vector's length
 * @param workers k
 * @param bucket  values per bucket, ≥ 1
 */
public record Buckets(long n, int workers, long bucket) {
    public Buckets {
        if (n < 0 || workers < 1 || bucket < 1) {
            throw new IllegalArgumentException("buckets of " + bucket + " values over " + n + " values, " + workers
                    + " workers");
        }
    }

    /** One bucket: each worker's piece is its contiguous 1/k slice of the whole vector. */
    public static Buckets whole(long n, int workers) {
        return new Buckets(n, workers, Math.max(1, n));
    }

    /** Values per bucket of {@code megabytes} MiB of values {@code width} bytes wide (at least 1). */
    public static long values(double megabytes, int width) {
        return Math.max(1, (long) (megabytes * (1 << 20) / width));
    }

    public int count() {
        return (int) Math.max(1, (n + bucket - 1) / bucket);
    }

    public long start(int b) {
        return b * bucket;
    }

    public long end(int b) {
        return Math.min(n, (b + 1) * bucket);
    }

    /** The first value of worker j's piece of bucket b. */
    public long pieceStart(int b, int j) {
        return start(b) + PeerMesh.sliceStart(end(b) - start(b), workers, j);
    }

    public long pieceLength(int b, int j) {
        return PeerMesh.sliceLength(end(b) - start(b), workers, j);
    }

    /** The longest piece of any bucket. */
    public long maxPiece() {
        return PeerMesh.sliceLength(Math.min(n, bucket), workers, 0);
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
}

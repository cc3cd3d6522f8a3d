package org.sparkdnn.data;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.sparkdnn.config.DataShuffle;
import org.sparkdnn.config.RunConfig;

/**
 * The global batch sequence: a pure function of (seed, epoch). Epoch e visits the n training rows in a permutation
 * drawn from a generator seeded by {@link #epochSeed}, cut into batches of B rows; the last batch of an epoch may be
 * smaller. Every engine replays exactly these batches, which is what makes k-worker training equal 1-process
 * training and a resumed run equal an uninterrupted one.
 */
public final class BatchPlan implements Serializable {
    private final long seed;
    private final int examples;
    private final int batchSize;
    private final int homes; // 0: one global permutation; k: data.shuffle partitioned over k workers

    public BatchPlan(long seed, int examples, int batchSize) {
        this(seed, examples, batchSize, 0);
    }

    private BatchPlan(long seed, int examples, int batchSize, int homes) {
        if (examples <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("examples and batchSize must be > 0, was " + examples + ", " + batchSize);
        }
        if (homes > 0 && batchSize % homes != 0) {
            throw new IllegalArgumentException("batchSize " + batchSize + " is not a multiple of " + homes + " workers");
        }
        this.seed = seed;
        this.examples = examples;
        this.batchSize = batchSize;
        this.homes = homes;
    }

    /**
     * {@code data.shuffle: partitioned}: worker w's home is the contiguous range of training rows {@link #home}
     * (sizes differ by at most one, the first ones larger); each epoch permutes every home on its own, and batch b is
     * the b-th batchSize/k rows of each home in worker order — so each row's shard (BatchPlan.shard) is always its
     * home worker's, and a short last batch splits exactly as {@link #shard} splits it.
     */
    public static BatchPlan partitioned(long seed, int examples, int batchSize, int workers) {
        return new BatchPlan(seed, examples, batchSize, workers);
    }

    /** The plan a run's config asks for. */
    public static BatchPlan of(RunConfig config, int examples) {
        return config.data().shuffle() == DataShuffle.PARTITIONED
                ? partitioned(config.training().seed(), examples, config.training().batchSize(),
                        config.cluster().workers())
                : new BatchPlan(config.training().seed(), examples, config.training().batchSize());
    }

    /** Whether this is a partitioned plan (rows never leave their home worker). */
    public boolean isPartitioned() {
        return homes > 0;
    }

    /** Partitioned plans: the first row of worker {@code w}'s home, and {@code home(k)} = examples. */
    public int home(int w) {
        int base = examples / homes;
        int extra = examples % homes;
        return w * base + Math.min(w, extra);
    }

    public int batchesPerEpoch() {
        return (examples + batchSize - 1) / batchSize;
    }

    public int batchSize() {
        return batchSize;
    }

    /** A seed for epoch {@code epoch} derived from the root seed (SplitMix64 finaliser of the pair). */
    public static long epochSeed(long rootSeed, int epoch) {
        long z = rootSeed * 0x9E3779B97F4A7C15L + (epoch + 1L) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The row order of epoch {@code epoch} (Fisher–Yates; partitioned: of each home, then interleaved by batch). */
    public int[] permutation(int epoch) {
        if (homes > 0) {
            return partitionedOrder(epoch);
        }
        int[] order = new int[examples];
        for (int i = 0; i < examples; i++) {
            order[i] = i;
        }
        SplitMix64 random = new SplitMix64(epochSeed(seed, epoch));
        for (int i = examples - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private int[] partitionedOrder(int epoch) {
        int[][] permuted = new int[homes][];
        for (int w = 0; w < homes; w++) {
            int from = home(w);
            int[] rows = new int[home(w + 1) - from];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = from + i;
            }
            SplitMix64 random = new SplitMix64(epochSeed(epochSeed(seed, epoch), w));
            for (int i = rows.length - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = rows[i];
                rows[i] = rows[j];
                rows[j] = t;
            }
            permuted[w] = rows;
        }
        int chunk = batchSize / homes;
        int[] order = new int[examples];
        int at = 0;
        for (int start = 0; at < examples; start += chunk) {
            for (int w = 0; w < homes; w++) {
                int end = Math.min(permuted[w].length, start + chunk);
                for (int i = start; i < end; i++) {
                    order[at++] = permuted[w][i];
                }
            }
        }
        return order;
    }

    /** The inverse of {@link #permutation}: {@code positions(epoch)[row]} is where training row {@code row} sits. */
    public int[] positions(int epoch) {
        int[] order = permutation(epoch);
        int[] position = new int[examples];
        for (int p = 0; p < examples; p++) {
            position[order[p]] = p;
        }
        return position;
    }

    /** The batches of epoch {@code epoch}, as row indices into the training set. */
    public List<int[]> batches(int epoch) {
        int[] order = permutation(epoch);
        List<int[]> batches = new ArrayList<>(batchesPerEpoch());
        for (int start = 0; start < examples; start += batchSize) {
            int end = Math.min(examples, start + batchSize);
            int[] batch = new int[end - start];
            System.arraycopy(order, start, batch, 0, batch.length);
            batches.add(batch);
        }
        return batches;
    }

    /** The worker (of {@code workers}) whose shard holds the example at {@code position} of an epoch's order. */
    public int ownerOf(int position, int workers) {
        int batch = position / batchSize;
        int length = Math.min(batchSize, examples - batch * batchSize);
        int i = position - batch * batchSize;
        int base = length / workers;
        int extra = length % workers;
        int big = extra * (base + 1);
        return i < big ? i / (base + 1) : extra + (i - big) / base;
    }

    /**
     * Shard {@code worker} of {@code workers} of a batch: contiguous, sizes differing by at most one (the first
     * {@code size % workers} shards get one extra row). A shard may be empty when the batch is smaller than k.
     */
    public static int[] shard(int[] batch, int worker, int workers) {
        int base = batch.length / workers;
        int extra = batch.length % workers;
        int start = worker * base + Math.min(worker, extra);
        int size = base + (worker < extra ? 1 : 0);
        int[] shard = new int[size];
        System.arraycopy(batch, start, shard, 0, size);
        return shard;
    }

    /** The sizes of the {@code workers} shards of a batch of {@code rows} ({@link #shard}'s): what each gradient covers. */
    public static int[] shardSizes(int rows, int workers) {
        int[] sizes = new int[workers];
        for (int w = 0; w < workers; w++) {
            sizes[w] = rows / workers + (w < rows % workers ? 1 : 0);
        }
        return sizes;
    }
}

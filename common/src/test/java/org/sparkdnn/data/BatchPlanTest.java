package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The global batch sequence is a pure function of (seed, epoch); shards split a batch into contiguous parts. */
class BatchPlanTest {
    private static int[] concat(List<int[]> parts) {
        return parts.stream().flatMapToInt(Arrays::stream).toArray();
    }

    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }

    @Test
    void sameSeedAndEpochGiveTheSameBatches() {
        List<int[]> a = new BatchPlan(42, 103, 10).batches(3);
        List<int[]> b = new BatchPlan(42, 103, 10).batches(3);
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "batch " + i);
        }
    }

    @Test
    void differentEpochsAndSeedsGiveDifferentOrders() {
        BatchPlan plan = new BatchPlan(42, 100, 10);
        assertFalse(Arrays.equals(plan.permutation(0), plan.permutation(1)));
        assertFalse(Arrays.equals(plan.permutation(1), plan.permutation(2)));
        assertFalse(Arrays.equals(plan.permutation(0), new BatchPlan(43, 100, 10).permutation(0)));
        assertNotEquals(BatchPlan.epochSeed(42, 0), BatchPlan.epochSeed(42, 1));
    }

    @Test
    void permutationIsShuffledNotTheIdentity() {
        assertFalse(Arrays.equals(range(100), new BatchPlan(7, 100, 10).permutation(0)));
    }

    @Test
    void eachEpochVisitsEveryRowExactlyOnce() {
        BatchPlan plan = new BatchPlan(42, 103, 10);
        for (int epoch = 0; epoch < 5; epoch++) {
            int[] visited = concat(plan.batches(epoch));
            assertArrayEquals(plan.permutation(epoch), visited, "batches cut the permutation in order");
            Arrays.sort(visited);
            assertArrayEquals(range(103), visited, "epoch " + epoch);
        }
    }

    @Test
    void lastBatchIsPartialWhenTheBatchSizeDoesNotDivideTheRows() {
        BatchPlan plan = new BatchPlan(1, 103, 10);
        List<int[]> batches = plan.batches(0);
        assertEquals(11, plan.batchesPerEpoch());
        assertEquals(11, batches.size());
        for (int i = 0; i < 10; i++) {
            assertEquals(10, batches.get(i).length);
        }
        assertEquals(3, batches.get(10).length);
    }

    @Test
    void batchesAreAllFullWhenTheBatchSizeDividesTheRows() {
        List<int[]> batches = new BatchPlan(1, 100, 25).batches(0);
        assertEquals(4, batches.size());
        assertTrue(batches.stream().allMatch(b -> b.length == 25));
    }

    @Test
    void batchLargerThanTheDataIsOneBatchOfAllRows() {
        List<int[]> batches = new BatchPlan(1, 5, 64).batches(0);
        assertEquals(1, batches.size());
        int[] only = batches.get(0).clone();
        Arrays.sort(only);
        assertArrayEquals(range(5), only);
    }

    @Test
    void rejectsEmptyDataAndNonPositiveBatchSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchPlan(1, 0, 10));
        assertTrue(e.getMessage().contains("must be > 0, was 0, 10"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new BatchPlan(1, 10, 0));
    }

    @ParameterizedTest(name = "a batch of {0} in {1} shards")
    @CsvSource({"10, 1", "10, 2", "10, 3", "10, 4", "7, 7", "64, 5", "3, 5", "1, 4", "0, 3"})
    void shardsAreContiguousNearlyEqualAndConcatenateToTheBatch(int size, int workers) {
        int[] batch = IntStream.range(0, size).map(i -> 1000 - 3 * i).toArray();
        List<int[]> shards = IntStream.range(0, workers).mapToObj(w -> BatchPlan.shard(batch, w, workers)).toList();

        assertArrayEquals(batch, concat(shards), "concatenation in worker order is the batch");
        int min = shards.stream().mapToInt(s -> s.length).min().orElseThrow();
        int max = shards.stream().mapToInt(s -> s.length).max().orElseThrow();
        assertTrue(max - min <= 1, "sizes differ by at most one: " + min + ".." + max);
        for (int w = 1; w < workers; w++) {
            assertTrue(shards.get(w - 1).length >= shards.get(w).length, "larger shards come first");
        }
    }

    @Test
    void moreWorkersThanRowsLeavesTheLastShardsEmpty() {
        int[] batch = {5, 6, 7};
        assertArrayEquals(new int[] {5}, BatchPlan.shard(batch, 0, 5));
        assertArrayEquals(new int[] {6}, BatchPlan.shard(batch, 1, 5));
        assertArrayEquals(new int[] {7}, BatchPlan.shard(batch, 2, 5));
        assertArrayEquals(new int[0], BatchPlan.shard(batch, 3, 5));
        assertArrayEquals(new int[0], BatchPlan.shard(batch, 4, 5));
    }

    @Test
    void shardsOfTenInThreeAreFourThreeThree() {
        int[] batch = range(10);
        assertArrayEquals(new int[] {0, 1, 2, 3}, BatchPlan.shard(batch, 0, 3));
        assertArrayEquals(new int[] {4, 5, 6}, BatchPlan.shard(batch, 1, 3));
        assertArrayEquals(new int[] {7, 8, 9}, BatchPlan.shard(batch, 2, 3));
    }

    @Test
    void epochSeedIsAPureFunctionOfRootSeedAndEpoch() {
        assertEquals(BatchPlan.epochSeed(42, 7), BatchPlan.epochSeed(42, 7));
        assertNotEquals(BatchPlan.epochSeed(42, 7), BatchPlan.epochSeed(43, 7));
    }

    /**
     * data.shuffle partitioned: every epoch is a permutation; every row's shard is its home worker's in every epoch
     * (so it never moves after the first); full batches take batchSize/k rows of each home; the short last batch
     * splits as BatchPlan.shard splits it; epochs differ.
     */
    @Test
    void partitionedPlanKeepsEveryRowOnItsHomeWorker() {
        for (int[] c : new int[][] {{103, 12, 3}, {100, 8, 4}, {7, 4, 2}, {1797, 32, 2}, {61, 6, 6}}) {
            int n = c[0];
            int batch = c[1];
            int k = c[2];
            BatchPlan plan = BatchPlan.partitioned(42, n, batch, k);
            assertTrue(plan.isPartitioned());
            assertEquals(new BatchPlan(42, n, batch).batchesPerEpoch(), plan.batches(0).size());
            int[] sizes = new int[k];
            for (int w = 0; w < k; w++) {
                sizes[w] = plan.home(w + 1) - plan.home(w);
                assertTrue(Math.abs(sizes[w] - n / k) <= 1, "home sizes differ by at most one");
            }
            assertEquals(0, plan.home(0));
            assertEquals(n, plan.home(k));
            for (int epoch = 0; epoch < 3; epoch++) {
                int[] order = plan.permutation(epoch);
                assertArrayEquals(java.util.stream.IntStream.range(0, n).toArray(),
                        java.util.Arrays.stream(order).sorted().toArray(), "a permutation");
                List<int[]> batches = plan.batches(epoch);
                for (int[] b : batches) {
                    for (int w = 0; w < k; w++) {
                        for (int row : BatchPlan.shard(b, w, k)) {
                            assertTrue(row >= plan.home(w) && row < plan.home(w + 1),
                                    "row " + row + " in worker " + w + "'s shard is from its home");
                        }
                    }
                }
                int[] position = plan.positions(epoch);
                for (int row = 0; row < n; row++) {
                    int home = 0;
                    while (row >= plan.home(home + 1)) {
                        home++;
                    }
                    assertEquals(home, plan.ownerOf(position[row], k), "owner of row " + row);
                }
            }
            assertTrue(!java.util.Arrays.equals(plan.permutation(0), plan.permutation(1)), "epochs differ");
        }
    }
}

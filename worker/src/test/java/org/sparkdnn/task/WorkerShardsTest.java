package org.sparkdnn.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.config.Loss;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.HeapRows;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.data.SplitMix64;
import scala.Tuple2;

/**
 * A run-wide stage's shards ({@link WorkerShards#ofPlan} over the heap rows) must be exactly what a per-epoch
 * stage's partition gives worker w (the blocks of its rows keyed by position, {@link WorkerShards#build}): the same
 * rows, values and dropout positions per batch — for uneven shards, a short last batch and shards left empty.
 */
class WorkerShardsTest {
    static final int N = 103;
    static final int D = 5;
    static final int CLASSES = 4;

    private static RowBlock rows() {
        SplitMix64 random = new SplitMix64(3);
        int[] keys = new int[N];
        float[] x = new float[N * D];
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            keys[i] = i;
            y[i] = random.nextInt(CLASSES);
            for (int j = 0; j < D; j++) {
                x[i * D + j] = (float) random.nextDouble() - 0.5f;
            }
        }
        return new RowBlock(keys, x, y, D);
    }

    /** What a per-epoch stage sends worker w: its rows of each batch (BatchPlan.shard), keyed by epoch position. */
    private static WorkerShards perEpoch(RowBlock all, BatchPlan plan, int epoch, int w, int k, Loss loss,
                                         DataType type) {
        List<Tuple2<Integer, RowBlock>> blocks = new ArrayList<>();
        int[] order = plan.permutation(epoch);
        List<Integer> rows = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int p = 0; p < N; p++) {
            if (plan.ownerOf(p, k) == w) {
                rows.add(order[p]);
                positions.add(p);
            }
        }
        int[] r = rows.stream().mapToInt(Integer::intValue).toArray();
        int[] pos = positions.stream().mapToInt(Integer::intValue).toArray();
        // two blocks in reverse order: build() must sort them into epoch order
        int half = r.length / 2;
        blocks.add(new Tuple2<>(w, all.select(java.util.Arrays.copyOfRange(r, half, r.length),
                java.util.Arrays.copyOfRange(pos, half, pos.length))));
        blocks.add(new Tuple2<>(w, all.select(java.util.Arrays.copyOfRange(r, 0, half),
                java.util.Arrays.copyOfRange(pos, 0, half))));
        return WorkerShards.build(blocks.iterator(), D, N, plan.batchSize(), loss, CLASSES,
                type == DataType.DOUBLE ? org.sparkdnn.config.NumericType.DOUBLE : org.sparkdnn.config.NumericType.FLOAT);
    }

    @Test
    void planShardsOverHeapRowsEqualThePerEpochPartitionsShards() {
        RowBlock all = rows();
        for (Loss loss : new Loss[] {Loss.SOFTMAX_CROSS_ENTROPY, Loss.L2}) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                HeapRows heap = new HeapRows(all, loss, CLASSES, type);
                for (int k = 1; k <= 4; k++) {
                    // batch 10 over 103 rows: shards of 10/3, 10/4 uneven; the last batch has 3 rows (empty for k=4)
                    BatchPlan plan = new BatchPlan(9, N, 10);
                    for (int epoch = 0; epoch < 2; epoch++) {
                        int total = 0;
                        for (int w = 0; w < k; w++) {
                            WorkerShards fromPlan = WorkerShards.ofPlan(heap, plan, epoch, w, k);
                            WorkerShards fromBlocks = perEpoch(all, plan, epoch, w, k, loss, type);
                            assertEquals(fromBlocks.rows(), fromPlan.rows());
                            assertEquals(fromBlocks.batches(), fromPlan.batches());
                            total += fromPlan.rows();
                            for (int b = 0; b < plan.batchesPerEpoch(); b++) {
                                String at = loss + " " + type + " k=" + k + " w=" + w + " epoch " + epoch + " batch " + b;
                                assertArrayEquals(fromBlocks.positions(b), fromPlan.positions(b), at);
                                Optional<DataSet> a = fromBlocks.shard(b);
                                Optional<DataSet> c = fromPlan.shard(b);
                                assertEquals(a.isPresent(), c.isPresent(), at);
                                if (a.isPresent()) {
                                    assertEquals(a.get().getFeatures(), c.get().getFeatures(), at);
                                    assertEquals(a.get().getLabels(), c.get().getLabels(), at);
                                    assertEquals(type, c.get().getFeatures().dataType());
                                }
                            }
                        }
                        assertEquals(N, total, "every row is in exactly one worker's shards");
                    }
                }
            }
        }
        assertTrue(new BatchPlan(9, N, 10).ownerOf(102, 4) == 2, "the last batch's 3 rows leave worker 3 empty");
    }

    @Test
    void heapRowsBatchesEqualTheMatrixBatchesAndABadLabelIsNamed() {
        RowBlock all = rows();
        Examples examples = new Examples("t", "row", D, all.x(), all.y(), all.keys());
        int[] some = {7, 0, 102, 55, 7};
        for (Loss loss : new Loss[] {Loss.SOFTMAX_CROSS_ENTROPY, Loss.L1}) {
            DataSet m = new ExampleMatrix(examples, loss, CLASSES, DataType.DOUBLE).batch(some);
            DataSet h = new HeapRows(all, loss, CLASSES, DataType.DOUBLE).batch(some);
            assertEquals(m.getFeatures(), h.getFeatures());
            assertEquals(m.getLabels(), h.getLabels());
        }
        float[] y = all.y().clone();
        y[42] = CLASSES;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HeapRows(
                new RowBlock(all.keys(), all.x(), y, D), Loss.SOFTMAX_CROSS_ENTROPY, CLASSES, DataType.FLOAT));
        assertTrue(e.getMessage().contains("training row 42: label 4 outside 0..3"), e.getMessage());
    }
}

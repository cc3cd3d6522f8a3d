package org.sparkdnn.task;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.data.RowSource;
import org.sparkdnn.model.Dl4jMapping;
import org.sparkdnn.model.DropoutContext;
import scala.Tuple2;

/**
 * A worker's rows of one epoch, in epoch order; {@link #shard(int)} returns the rows of one global batch. Either
 * built from the per-epoch partition's blocks, whose keys are the rows' positions in the epoch (the rows are then a
 * matrix of their own), or derived from the batch plan over a matrix of all training rows ({@link #ofPlan}: a stage
 * that lasts the whole run, where only row indices change per epoch).
 */
public final class WorkerShards {
    private final RowSource matrix;
    private final int[] index; // the matrix row of the worker's i-th row of the epoch; null: row i itself
    private final int[] batchStart;
    private final int[] batchLength;
    private final int[] batchOffset;

    private WorkerShards(RowSource matrix, int[] index, int[] batchStart, int[] batchLength, int[] batchOffset) {
        this.matrix = matrix;
        this.index = index;
        this.batchStart = batchStart;
        this.batchLength = batchLength;
        this.batchOffset = batchOffset;
    }

    /**
     * Worker {@code worker}'s shards of every batch of epoch {@code epoch} of {@code plan}, as rows of {@code all}
     * (every training row, row i = training row i): shard w of a batch is its w-th contiguous slice
     * ({@link BatchPlan#shard}), exactly the rows the per-epoch placements send worker w.
     */
    public static WorkerShards ofPlan(RowSource all, BatchPlan plan, int epoch, int worker, int workers) {
        int[] order = plan.permutation(epoch);
        if (order.length != all.count()) {
            throw new IllegalArgumentException("a plan of " + order.length + " rows over " + all.count() + " rows");
        }
        int batchSize = plan.batchSize();
        int batches = plan.batchesPerEpoch();
        int[] start = new int[batches];
        int[] length = new int[batches];
        int[] offset = new int[batches];
        int[] index = new int[order.length];
        int n = 0;
        for (int b = 0; b < batches; b++) {
            int size = Math.min(batchSize, order.length - b * batchSize);
            int base = size / workers;
            int extra = size % workers;
            start[b] = n;
            offset[b] = worker * base + Math.min(worker, extra);
            length[b] = base + (worker < extra ? 1 : 0);
            System.arraycopy(order, b * batchSize + offset[b], index, n, length[b]);
            n += length[b];
        }
        return new WorkerShards(all, Arrays.copyOf(index, n), start, length, offset);
    }

    /** @param blocks this worker's rows of the epoch, as blocks keyed by position in the epoch (any order) */
    public static WorkerShards build(Iterator<Tuple2<Integer, RowBlock>> blocks, WorkerSpec spec) {
        return build(blocks, spec.model().features(), spec.plan().examples(), spec.plan().batchSize(), spec.model().loss(), spec.model().classes(),
                spec.model().dataType());
    }

    /**
     * @param examples  n, the training-set size, and {@code batchSize} B: which global batch a position is in
     */
    public static WorkerShards build(Iterator<Tuple2<Integer, RowBlock>> blocks, int features, int examples,
                                     int batchSize, Loss loss, int classes,
                                     NumericType dataType) {
        List<RowBlock> list = new ArrayList<>();
        int total = 0;
        while (blocks.hasNext()) {
            RowBlock b = blocks.next()._2();
            list.add(b);
            total += b.rows();
        }
        int d = features;
        int batches = (examples + batchSize - 1) / batchSize;
        int[] start = new int[batches];
        int[] length = new int[batches];
        int[] offset = new int[batches];
        Arrays.fill(start, -1);
        float[] x;
        float[] y;
        int[] positions;
        if (list.size() == 1 && ascending(list.get(0).keys())) {
            // one block already in epoch order (the broadcast placement's): its arrays are the matrix, no second copy
            x = list.get(0).x();
            y = list.get(0).y();
            positions = list.get(0).keys();
        } else {
            long[] packed = new long[total]; // position << 32 | running row number, sorted into epoch order
            int[] blockOf = new int[total];
            int[] rowOf = new int[total];
            for (int b = 0, n = 0; b < list.size(); b++) {
                for (int r = 0; r < list.get(b).rows(); r++, n++) {
                    packed[n] = ((long) list.get(b).keys()[r] << 32) | n;
                    blockOf[n] = b;
                    rowOf[n] = r;
                }
            }
            Arrays.sort(packed);
            x = new float[total * d];
            y = new float[total];
            positions = new int[total];
            for (int i = 0; i < total; i++) {
                int n = (int) packed[i];
                RowBlock block = list.get(blockOf[n]);
                System.arraycopy(block.x(), rowOf[n] * d, x, i * d, d);
                y[i] = block.y()[rowOf[n]];
                positions[i] = (int) (packed[i] >>> 32);
            }
        }
        for (int i = 0; i < total; i++) {
            int position = positions[i];
            int batch = position / batchSize;
            if (start[batch] < 0) {
                start[batch] = i;
                offset[batch] = position - batch * batchSize;
            }
            length[batch]++;
        }
        Examples rows = new Examples("epoch partition", "row", d, x, y, new int[total]);
        ExampleMatrix matrix = new ExampleMatrix(rows, loss, classes, Dl4jMapping.dataType(dataType));
        return new WorkerShards(matrix, null, start, length, offset);
    }

    private static boolean ascending(int[] keys) {
        for (int i = 1; i < keys.length; i++) {
            if (keys[i] <= keys[i - 1]) {
                return false;
            }
        }
        return true;
    }

    /** The worker's shard of global batch {@code batch}; empty when the batch has fewer rows than workers. */
    public Optional<DataSet> shard(int batch) {
        if (batchLength[batch] == 0) {
            return Optional.empty();
        }
        int[] rows = new int[batchLength[batch]];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = index == null ? batchStart[batch] + i : index[batchStart[batch] + i];
        }
        return Optional.of(matrix.batch(rows));
    }

    /**
     * The positions in global batch {@code batch} of this worker's rows of it (a shard is a contiguous slice): what
     * dropout masks are keyed by.
     */
    public int[] positions(int batch) {
        return DropoutContext.range(batchOffset[batch], batchLength[batch]);
    }

    /** The number of global batches of the epoch. */
    public int batches() {
        return batchStart.length;
    }

    /** The worker's rows of the epoch. */
    public int rows() {
        return index == null ? matrix.count() : index.length;
    }
}

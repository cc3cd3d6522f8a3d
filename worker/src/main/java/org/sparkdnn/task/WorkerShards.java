package org.sparkdnn.task;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Optional;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.TrainRow;
import scala.Tuple2;

/**
 * A worker's rows of one epoch, in epoch order, as one matrix; {@link #shard(int)} returns the rows of one global
 * batch. Built from the per-epoch partition, whose keys are {@code worker · n + position in the epoch}.
 */
public final class WorkerShards {
    private final ExampleMatrix matrix;
    private final int[] batchStart;
    private final int[] batchLength;

    private WorkerShards(ExampleMatrix matrix, int[] batchStart, int[] batchLength) {
        this.matrix = matrix;
        this.batchStart = batchStart;
        this.batchLength = batchLength;
    }

    /** @param rows this worker's (key, row) pairs sorted by key */
    public static WorkerShards build(Iterator<Tuple2<Long, TrainRow>> rows, WorkerSpec spec) {
        int batches = (spec.examples() + spec.batchSize() - 1) / spec.batchSize();
        int[] start = new int[batches];
        int[] length = new int[batches];
        Arrays.fill(start, -1);
        float[] x = new float[0];
        float[] y = new float[0];
        int count = 0;
        while (rows.hasNext()) {
            Tuple2<Long, TrainRow> next = rows.next();
            int position = (int) (next._1() % spec.examples());
            int batch = position / spec.batchSize();
            if (count == y.length) {
                x = Arrays.copyOf(x, Math.max(16, count * 2) * spec.features());
                y = Arrays.copyOf(y, Math.max(16, count * 2));
            }
            System.arraycopy(next._2().x(), 0, x, count * spec.features(), spec.features());
            y[count] = next._2().y();
            if (start[batch] < 0) {
                start[batch] = count;
            }
            length[batch]++;
            count++;
        }
        Examples examples = new Examples("epoch partition", "row", spec.features(),
                Arrays.copyOf(x, count * spec.features()), Arrays.copyOf(y, count), new int[count]);
        ExampleMatrix matrix = new ExampleMatrix(examples, spec.loss(), spec.classes(),
                org.sparkdnn.model.Dl4jMapping.dataType(spec.dataType()));
        return new WorkerShards(matrix, start, length);
    }

    /** The worker's shard of global batch {@code batch}; empty when the batch has fewer rows than workers. */
    public Optional<DataSet> shard(int batch) {
        if (batchLength[batch] == 0) {
            return Optional.empty();
        }
        int[] rows = new int[batchLength[batch]];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = batchStart[batch] + i;
        }
        return Optional.of(matrix.batch(rows));
    }

    public int rows() {
        return matrix.count();
    }
}

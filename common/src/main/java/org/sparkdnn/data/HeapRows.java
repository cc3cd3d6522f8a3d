package org.sparkdnn.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Loss;

/**
 * Rows kept in heap arrays (e.g. an executor's broadcast copy, used as is): each batch is gathered on the heap and
 * copied into ND4J once, so no off-heap matrix of all rows is built. The batches hold exactly the values
 * {@link ExampleMatrix#batch} gives for the same rows (float, cast to the network's type; one-hot labels for
 * softmax cross-entropy).
 */
public final class HeapRows implements RowSource {
    private final RowBlock rows;
    private final Loss loss;
    private final int classes;
    private final DataType type;

    /** @throws IllegalArgumentException naming the row (its key) whose label is outside the classes */
    public HeapRows(RowBlock rows, Loss loss, int classes, DataType type) {
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            for (int i = 0; i < rows.rows(); i++) {
                int label = (int) rows.y()[i];
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException("training row " + rows.keys()[i] + ": label " + label
                            + " outside 0.." + (classes - 1));
                }
            }
        }
        this.rows = rows;
        this.loss = loss;
        this.classes = classes;
        this.type = type;
    }

    @Override
    public DataSet batch(int[] batch) {
        int d = rows.features();
        float[] x = new float[batch.length * d];
        for (int i = 0; i < batch.length; i++) {
            System.arraycopy(rows.x(), batch[i] * d, x, i * d, d);
        }
        int width = loss == Loss.SOFTMAX_CROSS_ENTROPY ? classes : 1;
        float[] y = new float[batch.length * width];
        for (int i = 0; i < batch.length; i++) {
            float target = rows.y()[batch[i]];
            if (width == 1) {
                y[i] = target;
            } else {
                y[i * width + (int) target] = 1f;
            }
        }
        return new DataSet(Nd4j.create(x, new long[] {batch.length, d}, 'c').castTo(type),
                Nd4j.create(y, new long[] {batch.length, width}, 'c').castTo(type));
    }

    @Override
    public int count() {
        return rows.rows();
    }
}

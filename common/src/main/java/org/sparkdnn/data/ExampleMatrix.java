package org.sparkdnn.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Loss;

/**
 * Examples as ND4J matrices (features n×d, labels n×C one-hot for softmax cross-entropy, else n×1), built once;
 * batches are gathered with {@code Nd4j.pullRows} (much cheaper than creating arrays per batch).
 */
public final class ExampleMatrix {
    private final INDArray features;
    private final INDArray labels;

    public ExampleMatrix(Examples examples, Loss loss, int classes, DataType type) {
        int n = examples.count();
        this.features = Nd4j.create(examples.x(), new long[] {n, examples.features()}, 'c').castTo(type);
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            this.labels = Nd4j.zeros(type, n, classes);
            for (int i = 0; i < n; i++) {
                labels.putScalar(i, (int) examples.y()[i], 1.0);
            }
        } else {
            this.labels = Nd4j.create(examples.y(), new long[] {n, 1}, 'c').castTo(type);
        }
    }

    private ExampleMatrix(INDArray features, INDArray labels) {
        this.features = features;
        this.labels = labels;
    }

    /** The rows {@code rows}, in order, as a new matrix (a copy). */
    public ExampleMatrix rows(int[] rows) {
        return new ExampleMatrix(Nd4j.pullRows(features, 1, rows), Nd4j.pullRows(labels, 1, rows));
    }

    public int count() {
        return (int) features.size(0);
    }

    public INDArray features() {
        return features;
    }

    public INDArray labels() {
        return labels;
    }

    /** The rows {@code rows}, in order, as a new DataSet. */
    public DataSet batch(int[] rows) {
        return new DataSet(Nd4j.pullRows(features, 1, rows), Nd4j.pullRows(labels, 1, rows));
    }

    /** Rows [from, to) as views (no copy). */
    public DataSet range(int from, int to) {
        return new DataSet(features.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                org.nd4j.linalg.indexing.NDArrayIndex.all()),
                labels.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()));
    }
}

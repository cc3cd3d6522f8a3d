package org.sparkdnn.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.sparkdnn.config.Loss;

/**
 * Examples as ND4J matrices (features n×d, labels n×C one-hot for softmax cross-entropy, else n×1), built once;
 * batches are gathered with {@code Nd4j.pullRows} (much cheaper than creating arrays per batch).
 */
public final class ExampleMatrix implements RowSource {
    private final INDArray features;
    private final INDArray labels;

    public ExampleMatrix(Examples examples, Loss loss, int classes, DataType type) {
        int n = examples.count();
        this.features = Nd4j.create(examples.x(), new long[] {n, examples.features()}, 'c').castTo(type);
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            // one-hot built on the heap and copied once: 30,000 putScalar calls took tens of ms per epoch start
            float[] oneHot = new float[n * classes];
            for (int i = 0; i < n; i++) {
                int label = (int) examples.y()[i];
                if (label < 0 || label >= classes) {
                    throw new IllegalArgumentException(examples.source() + ": " + examples.origin(i) + ": label "
                            + label + " outside 0.." + (classes - 1));
                }
                oneHot[i * classes + label] = 1f;
            }
            this.labels = Nd4j.create(oneHot, new long[] {n, classes}, 'c').castTo(type);
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

    @Override
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
    @Override
    public DataSet batch(int[] rows) {
        return new DataSet(Nd4j.pullRows(features, 1, rows), Nd4j.pullRows(labels, 1, rows));
    }

    /** Rows [from, to) as views (no copy). */
    public DataSet range(int from, int to) {
        return new DataSet(features.get(NDArrayIndex.interval(from, to),
                NDArrayIndex.all()),
                labels.get(NDArrayIndex.interval(from, to),
                        NDArrayIndex.all()));
    }
}

package org.sparkdnn.ml;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.LoggerFactory;
import org.sparkdnn.config.Loss;
import org.sparkdnn.data.Scaler;

/**
 * {@link DnnModel#transform} on the executors: one network per partition (restored from the broadcast zip), rows in
 * batches, the same feature scaling as in training, the new columns appended to each row.
 */
final class DnnPredictor implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;
    private final Broadcast<byte[]> zip;
    private final Loss loss;
    private final int width;
    private final float[] shift;
    private final float[] scale;
    private final int featuresIndex;
    private final int batch;
    private final boolean raw;
    private final boolean probability;

    DnnPredictor(Broadcast<byte[]> zip, Loss loss, int width, float[] shift, float[] scale, int featuresIndex,
              int batch, boolean raw, boolean probability) {
        this.zip = zip;
        this.loss = loss;
        this.width = width;
        this.shift = shift;
        this.scale = scale;
        this.featuresIndex = featuresIndex;
        this.batch = batch;
        this.raw = raw;
        this.probability = probability;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) throws Exception {
        ComputationGraph net = DnnModel.restore("the network of a DnnModel", zip.value());
        DataType type = net.params().dataType();
        Scaler scaler = shift == null ? null : Scaler.of(shift, scale);
        List<Row> out = new ArrayList<>();
        List<Row> pending = new ArrayList<>(batch);
        // buffers whole partitions' outputs in memory: fine for prediction columns, not for huge partitions
        while (input.hasNext()) {
            pending.add(input.next());
            if (pending.size() == batch || !input.hasNext()) {
                predict(net, type, scaler, pending, out);
                pending.clear();
            }
        }
        TaskContext task = TaskContext.get();
        LoggerFactory.getLogger(DnnModel.class).info("predicted {} rows of partition {} in {}", out.size(),
                task == null ? -1 : task.partitionId(), ManagementFactory.getRuntimeMXBean().getName());
        return out.iterator();
    }

    private void predict(ComputationGraph net, DataType type, Scaler scaler, List<Row> rows, List<Row> out) {
        int n = rows.size();
        float[] x = new float[n * width];
        for (int r = 0; r < n; r++) {
            double[] f = DataFrameRows.features(rows.get(r), featuresIndex);
            if (f == null || f.length != width) {
                throw new IllegalArgumentException("row with " + (f == null ? "null features" : f.length
                        + " features") + "; the model was trained on " + width);
            }
            for (int j = 0; j < width; j++) {
                x[r * width + j] = (float) f[j];
            }
        }
        if (scaler != null) {
            scaler.applyInPlace(x, n);
        }
        INDArray logits = net.outputSingle(false, Nd4j.create(x, new long[] {n, width}, 'c').castTo(type))
                .castTo(DataType.DOUBLE);
        for (int r = 0; r < n; r++) {
            Row row = rows.get(r);
            List<Object> values = new ArrayList<>(row.size() + 3);
            for (int i = 0; i < row.size(); i++) {
                values.add(row.get(i));
            }
            double[] z = logits.getRow(r).toDoubleVector();
            if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
                double[] p = softmax(z);
                add(values, z, p);
                values.add((double) argmax(z));
            } else if (loss == Loss.BCE_WITH_LOGITS) {
                double p1 = 1 / (1 + Math.exp(-z[0]));
                add(values, new double[] {-z[0], z[0]}, new double[] {1 - p1, p1});
                values.add(z[0] > 0 ? 1.0 : 0.0);
            } else {
                values.add(z[0]);
            }
            out.add(RowFactory.create(values.toArray()));
        }
    }

    private void add(List<Object> values, double[] rawValues, double[] probabilities) {
        if (raw) {
            values.add(Vectors.dense(rawValues));
        }
        if (probability) {
            values.add(Vectors.dense(probabilities));
        }
    }

    private static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static int argmax(double[] z) {
        int best = 0;
        for (int i = 1; i < z.length; i++) {
            if (z[i] > z[best]) {
                best = i;
            }
        }
        return best;
    }
}

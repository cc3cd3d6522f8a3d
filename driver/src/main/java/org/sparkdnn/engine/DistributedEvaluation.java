package org.sparkdnn.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.OptionalDouble;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.sparkdnn.model.ModelZip;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.config.Loss;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.metrics.Evaluation;
import org.sparkdnn.metrics.Evaluator;

/**
 * A network's loss and accuracy (or MSE) on rows that live on the executors: the network is broadcast once, each
 * partition restores it and runs the driver's {@link Evaluator} on its blocks, and the driver combines the per-block
 * results weighted by their examples. Only a few numbers per partition reach the driver.
 */
public final class DistributedEvaluation {
    private DistributedEvaluation() {
    }

    /**
     * @param classes the network's classes (one-hot width) for softmax, 2 for BCE, 0 for regression
     * @param scaler  the run's feature scaling (applied on the executors), or null for none
     */
    public static Evaluation evaluate(JavaSparkContext sc, JavaRDD<RowBlock> blocks, ComputationGraph net, Loss loss,
                                      int classes, Scaler scaler) {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try {
            ModelSerializer.writeModel(net, zip, false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Broadcast<byte[]> model = sc.broadcast(zip.toByteArray());
        DataType type = net.params().dataType();
        try {
            List<double[]> parts = blocks.mapPartitions(it -> {
                ComputationGraph replica = null;
                double[] sums = new double[4]; // loss × n, correct, squared error × n × outputs, n
                Evaluator evaluator = new Evaluator(loss);
                while (it.hasNext()) {
                    RowBlock b = it.next();
                    if (b.rows() == 0) {
                        continue;
                    }
                    if (replica == null) {
                        replica = ModelZip.read("the evaluated network", model.value(), false);
                    }
                    Examples e = new Examples("block", "row", b.features(), b.x(), b.y(), b.keys());
                    Evaluation part = evaluator.evaluate(replica,
                            new ExampleMatrix(scaler == null ? e : scaler.apply(e), loss, classes, type));
                    sums[0] += part.loss() * part.examples();
                    sums[1] += Math.round(part.accuracy().orElse(0) * part.examples());
                    sums[2] += part.mse().orElse(0) * part.examples();
                    sums[3] += part.examples();
                }
                return List.of(sums).iterator();
            }).collect();
            double[] total = new double[4];
            for (double[] p : parts) {
                for (int i = 0; i < 4; i++) {
                    total[i] += p[i];
                }
            }
            int n = (int) total[3];
            return new Evaluation(total[0] / n,
                    loss.isClassification() ? OptionalDouble.of(total[1] / n) : OptionalDouble.empty(),
                    loss.isClassification() ? OptionalDouble.empty() : OptionalDouble.of(total[2] / n), n);
        } finally {
            model.destroy();
        }
    }
}

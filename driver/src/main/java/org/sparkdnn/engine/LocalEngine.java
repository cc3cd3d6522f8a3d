package org.sparkdnn.engine;

import java.util.Map;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.metrics.GradientNorms;
import org.sparkdnn.model.DropoutContext;
import org.sparkdnn.step.ShardGradient;

/**
 * The {@code local} engine: plain DL4J {@code fit} on the whole global batch in this JVM. The distributed oracle. The
 * per-layer gradient norms are computed (their listener attached) only on the steps that record them.
 */
public final class LocalEngine implements StepEngine {
    private final ComputationGraph net;
    private final ExampleMatrix train;
    private final NormCapture capture = new NormCapture();
    private final int normsEvery;

    /**
     * @param normsEvery the steps whose per-layer gradient norms are recorded ({@code training.gradientNormsEvery};
     *                   0: none): only those steps compute them
     */
    public LocalEngine(ComputationGraph net, ExampleMatrix train, int normsEvery) {
        this.net = net;
        this.train = train;
        this.normsEvery = normsEvery;
    }

    @Override
    public double step(int epoch, int batch, int[] rows) {
        net.getConfiguration().setEpochCount(epoch);
        capture.batchSize = rows.length;
        // the norms' listener is attached only for the steps that record them: the norms are a pass over every
        // gradient, and fit calls a listener back every step
        boolean wanted = normsEvery > 0 && net.getIterationCount() % normsEvery == 0;
        capture.norms = Map.of();
        if (wanted) {
            net.addListeners(capture);
        }
        double regularisation = ShardGradient.regularisationScore(net); // at the pre-step params
        DataSet data = train.batch(rows);
        // dropout masks keyed by the step and each row's position in the global batch, as every engine keys them
        DropoutContext.with(net.getIterationCount(),
                DropoutContext.range(0, rows.length), () -> {
                    try {
                        net.fit(data);
                    } finally {
                        if (wanted) {
                            net.getListeners().remove(capture);
                        }
                    }
                    return null;
                });
        return net.score() - regularisation;
    }

    @Override
    public ComputationGraph network() {
        return net;
    }

    @Override
    public Map<String, Double> gradientNorms() {
        return capture.norms;
    }

    @Override
    public void close() {
        net.getListeners().remove(capture);
    }

    /** Reads DL4J's per-variable gradient after backprop, before the updater changes it. */
    private static final class NormCapture extends BaseTrainingListener {
        int batchSize = 1;
        Map<String, Double> norms = Map.of();

        @Override
        public void onGradientCalculation(Model model) {
            norms = GradientNorms.perLayer(model.gradient(), batchSize);
        }
    }
}

package org.sparkdnn.engine;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.metrics.GradientNorms;

/**
 * Applies a summed gradient to the master network exactly as DL4J's {@code fit} would: DL4J's own updater (learning
 * rate schedule, l2, weight decay, clipping, division by the global batch size) once, then params −= update, then
 * the iteration count + 1 (Adam's bias correction reads it).
 */
final class MasterUpdate {
    private final ComputationGraph master;
    private final Gradient gradient;
    private Map<String, Double> norms = Map.of();

    /**
     * @param probe one example; a backward pass on it creates the master's per-variable gradient views (which DL4J's
     *              per-layer clipping needs). Its values are overwritten by every {@link #apply}.
     */
    MasterUpdate(ComputationGraph master, DataSet probe) {
        this.master = master;
        master.setInputs(probe.getFeatures());
        master.setLabels(probe.getLabels());
        master.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
        this.gradient = master.gradient();
        master.clearLayerMaskArrays();
    }

    /** Sums worker gradients in worker order: the fixed order makes every engine bitwise reproducible. */
    private static INDArray sumInWorkerOrder(List<INDArray> gradients) {
        INDArray sum = gradients.get(0).dup();
        for (int w = 1; w < gradients.size(); w++) {
            sum.addi(gradients.get(w));
        }
        return sum;
    }

    /** Per-layer norms of the last applied gradient (of the mean loss). */
    Map<String, Double> norms() {
        return norms;
    }

    /** Sums the workers' gradients in worker order and applies them as one step of a batch of {@code batchSize}. */
    void applyInWorkerOrder(List<INDArray> gradients, int batchSize, int epoch) {
        INDArray sum = sumInWorkerOrder(gradients);
        master.getFlattenedGradients().assign(sum);
        norms = GradientNorms.perLayer(gradient, batchSize);
        apply(sum, batchSize, epoch);
    }

    private void apply(INDArray sum, int batchSize, int epoch) {
        INDArray view = master.getFlattenedGradients();
        view.assign(sum);
        int iteration = master.getIterationCount();
        master.getConfiguration().setEpochCount(epoch);
        master.getUpdater().update(gradient, iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        INDArray params = master.params();
        params.subi(view.reshape(params.shape()));
        master.getConfiguration().setIterationCount(iteration + 1);
        master.applyConstraints(iteration + 1, epoch); // as DL4J's fit does after each step (weight constraints)
    }
}

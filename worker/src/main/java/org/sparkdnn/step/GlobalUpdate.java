package org.sparkdnn.step;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.metrics.GradientNorms;

/**
 * Applies a summed gradient to a network exactly as DL4J's {@code fit} would: DL4J's own updater (learning rate
 * schedule, l2, weight decay, clipping, division by the global batch size) once, then params −= update, then the
 * iteration count + 1 (Adam's bias correction reads it). The driver's master does this in {@code exchange: driver}
 * and {@code reference}; every worker's replica does it in {@code exchange: peer}.
 */
public final class GlobalUpdate {
    private final ComputationGraph net;
    private final Gradient gradient;
    private Map<String, Double> norms = Map.of();

    /**
     * @param probe one example; a backward pass on it creates the network's per-variable gradient views (which DL4J's
     *              per-layer clipping needs). Its values are overwritten by every update.
     */
    public GlobalUpdate(ComputationGraph net, DataSet probe) {
        this.net = net;
        net.setInputs(probe.getFeatures());
        net.setLabels(probe.getLabels());
        net.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
        this.gradient = net.gradient();
        net.clearLayerMaskArrays();
    }

    /** Sums worker gradients in worker order: the fixed order makes every engine bitwise reproducible. */
    private static INDArray sumInWorkerOrder(List<INDArray> gradients) {
        INDArray sum = gradients.get(0).dup();
        for (int w = 1; w < gradients.size(); w++) {
            sum.addi(gradients.get(w));
        }
        return sum;
    }

    /** Per-layer norms of the last applied gradient (of the mean loss), where they were computed. */
    public Map<String, Double> norms() {
        return norms;
    }

    /** Sums the workers' gradients in worker order and applies them as one step of a batch of {@code batchSize}. */
    public void applyInWorkerOrder(List<INDArray> gradients, int batchSize, int epoch) {
        INDArray sum = sumInWorkerOrder(gradients);
        net.getFlattenedGradients().assign(sum);
        norms = GradientNorms.perLayer(gradient, batchSize);
        update(batchSize, epoch);
    }

    /**
     * The network's flat gradient array, in parameter order: {@code exchange: peer} writes the summed gradient
     * straight into it, then calls {@link #update}.
     */
    public INDArray gradientView() {
        return net.getFlattenedGradients();
    }

    /** Computes (and keeps for {@link #norms()}) the per-layer norms of the gradient now in {@link #gradientView()}. */
    public Map<String, Double> computeNorms(int batchSize) {
        norms = GradientNorms.perLayer(gradient, batchSize);
        return norms;
    }

    /** What completes an owner-slice step: the all-gather of the parameters every slice has updated. */
    public interface Gather {
        void gather(INDArray params) throws IOException;
    }

    /**
     * One step with owner slices: {@code slice} updates its part of the parameters from the summed gradient in its
     * part of {@link #gradientView()}, {@code gather} fills in the other slices' new parameters; then, as
     * {@link #update}, the iteration count + 1 and DL4J's weight constraints (on the whole, gathered parameters).
     */
    public void updateSlice(SliceUpdate slice, int batchSize, int epoch, Gather gather) throws IOException {
        int iteration = net.getIterationCount();
        net.getConfiguration().setEpochCount(epoch);
        slice.apply(batchSize, iteration, epoch);
        gather.gather(net.params());
        net.getConfiguration().setIterationCount(iteration + 1);
        net.applyConstraints(iteration + 1, epoch);
    }

    /**
     * {@link #updateSlice} without the gather and the constraints ({@code cluster.peer.overlap}): the slice's update, then
     * the iteration count + 1. The caller gathers the other slices' parameters before anything reads them, and, if
     * {@link #hasConstraints}, applies them after the gather ({@link #applyConstraints}).
     */
    public void updateOwnSlice(SliceUpdate slice, int batchSize, int epoch) {
        int iteration = net.getIterationCount();
        net.getConfiguration().setEpochCount(epoch);
        slice.apply(batchSize, iteration, epoch);
        net.getConfiguration().setIterationCount(iteration + 1);
    }

    /** Whether any layer has weight constraints, which need the whole parameters after each update. */
    public boolean hasConstraints() {
        for (Layer l : net.getLayers()) {
            List<?> c = l.conf().getLayer().getConstraints();
            if (c != null && !c.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** DL4J's weight constraints at the network's iteration count, as {@link #update} applies them. */
    public void applyConstraints(int epoch) {
        net.applyConstraints(net.getIterationCount(), epoch);
    }

    /** Applies the summed gradient now in {@link #gradientView()} as one step of a batch of {@code batchSize}. */
    public void update(int batchSize, int epoch) {
        INDArray view = net.getFlattenedGradients();
        int iteration = net.getIterationCount();
        net.getConfiguration().setEpochCount(epoch);
        net.getUpdater().update(gradient, iteration, epoch, batchSize, LayerWorkspaceMgr.noWorkspaces());
        INDArray params = net.params();
        params.subi(view.reshape(params.shape()));
        net.getConfiguration().setIterationCount(iteration + 1);
        net.applyConstraints(iteration + 1, epoch); // as DL4J's fit does after each step (weight constraints)
    }
}

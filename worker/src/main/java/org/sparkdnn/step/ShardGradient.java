package org.sparkdnn.step;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Computes the gradient of the summed loss of a shard on a replica network. DL4J's flattened gradient is the sum
 * over the examples and is overwritten by the next call, so it is copied.
 *
 * @param gradient  copy of the flattened gradient, in parameter order
 * @param lossSum   the loss summed over the shard's examples (regularisation excluded)
 * @param examples  the shard size
 */
public record ShardGradient(INDArray gradient, double lossSum, int examples) {
    /** Runs forward + backward of {@code shard} on {@code replica} (whose parameters the caller has set). */
    public static ShardGradient compute(ComputationGraph replica, DataSet shard) {
        return compute(replica, shard, true);
    }

    /**
     * @param copy false: the gradient is the network's own flat gradient array, valid until the next backward pass
     *             ({@code cluster.peer.overlap}, where the exchange reads it as the backward pass finishes each layer)
     */
    public static ShardGradient compute(ComputationGraph replica, DataSet shard, boolean copy) {
        int n = shard.numExamples();
        replica.setInputs(shard.getFeatures());
        replica.setLabels(shard.getLabels());
        replica.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
        INDArray gradient = copy ? replica.getFlattenedGradients().dup() : replica.getFlattenedGradients();
        // score() is the mean loss plus the regularisation score; workers never regularise, the driver does.
        double mean = replica.score() - regularisationScore(replica);
        return new ShardGradient(gradient, mean * n, n);
    }

    /** DL4J's regularisation term of the score (l2, weight decay), which engines leave out of reported losses. */
    public static double regularisationScore(ComputationGraph net) {
        double reg = 0;
        for (Layer layer : net.getLayers()) {
            reg += layer.calcRegularizationScore(true);
        }
        return reg;
    }
}

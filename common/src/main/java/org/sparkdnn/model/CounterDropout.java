package org.sparkdnn.model;

import java.util.Objects;
import org.deeplearning4j.nn.conf.dropout.IDropout;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Inverted dropout whose mask is a pure function of (run seed, optimizer step, layer, the example's position in its
 * global batch, unit): keep with probability 1 − p, scale kept values by 1/(1 − p). The mask of an example does not
 * depend on which worker computes it or how the batch is sharded, so {@code sync}, {@code reference} and
 * {@code local} draw the same masks, and a resumed run draws the masks of an uninterrupted one with nothing saved.
 *
 * <p>The engines say which step and positions the current batch has through {@link DropoutContext} (per thread);
 * without one (DL4J's own trainers, a user's {@code fit}) the key is DL4J's iteration count and the row's index in
 * the minibatch. The uniform draw: {@code u = mix64(rowKey + (unit + 1)·γ) ≫ 11 · 2⁻⁵³}, with
 * {@code rowKey = mix64(mix64(mix64(seed ⊕ step·γ) ⊕ layer·γ) ⊕ position·γ)} (SplitMix64's γ and mix64).
 */
public final class CounterDropout implements IDropout {
    private static final long serialVersionUID = 1L;
    private static final long GAMMA = 0x9E3779B97F4A7C15L;

    private final double dropProbability;
    private final long seed;
    private final int layer;
    private transient INDArray mask;

    public CounterDropout(@JsonProperty("dropProbability") double dropProbability, @JsonProperty("seed") long seed,
                          @JsonProperty("layer") int layer) {
        if (!(dropProbability > 0 && dropProbability < 1)) {
            throw new IllegalArgumentException("drop probability must be in (0, 1), was " + dropProbability);
        }
        this.dropProbability = dropProbability;
        this.seed = seed;
        this.layer = layer;
    }

    public double getDropProbability() {
        return dropProbability;
    }

    public long getSeed() {
        return seed;
    }

    public int getLayer() {
        return layer;
    }

    @Override
    public INDArray applyDropout(INDArray input, INDArray result, int iteration, int epoch,
                                 LayerWorkspaceMgr workspaceMgr) {
        int rows = (int) input.size(0);
        long perRow = input.length() / Math.max(rows, 1);
        DropoutContext.Batch batch = DropoutContext.of(rows, iteration);
        double scale = 1.0 / (1.0 - dropProbability);
        double[] values = new double[(int) (rows * perRow)];
        for (int r = 0; r < rows; r++) {
            long rowKey = rowKey(seed, batch.step(), layer, batch.positions()[r]);
            for (long u = 0; u < perRow; u++) {
                double uniform = (mix64(rowKey + (u + 1) * GAMMA) >>> 11) * 0x1.0p-53;
                values[(int) (r * perRow + u)] = uniform >= dropProbability ? scale : 0.0;
            }
        }
        // outside DL4J's layer workspaces: the mask must outlive the forward pass until backprop
        try (MemoryWorkspace ignored =
                     Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            mask = Nd4j.create(values, input.shape(), 'c').castTo(input.dataType());
        }
        return result.assign(input.mul(input.ordering() == 'c' ? mask : mask.dup(input.ordering())));
    }

    @Override
    public INDArray backprop(INDArray gradAtOutput, INDArray gradAtInput, int iteration, int epoch) {
        if (mask == null) {
            throw new IllegalStateException("dropout backprop without a forward pass in training mode");
        }
        gradAtInput.assign(gradAtOutput.mul(mask));
        mask = null;
        return gradAtInput;
    }

    @Override
    public void clear() {
        mask = null;
    }

    @Override
    public IDropout clone() {
        return new CounterDropout(dropProbability, seed, layer);
    }

    /** The key of the example at {@code position} of the global batch of {@code step}, for layer {@code layer}. */
    static long rowKey(long seed, long step, int layer, long position) {
        long stepKey = mix64(seed ^ (step * GAMMA));
        long layerKey = mix64(stepKey ^ (layer * GAMMA));
        return mix64(layerKey ^ (position * GAMMA));
    }

    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CounterDropout d && d.dropProbability == dropProbability && d.seed == seed
                && d.layer == layer;
    }

    @Override
    public int hashCode() {
        return Objects.hash(dropProbability, seed, layer);
    }

    @Override
    public String toString() {
        return "CounterDropout(p=" + dropProbability + ", layer " + layer + ")";
    }
}

package org.sparkdnn.model;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;

/**
 * How a {@link SyncBatchNormalization} layer gets the statistics of the whole global batch while each worker holds only
 * its shard: an in-step collective the engine sets on the thread that trains ({@link #with}). Every BatchNorm layer
 * exchanges twice per step, in the order the graph runs them: in its forward pass each shard's per-channel
 * (count, mean, M2 = Σ(x − mean)²), merged in worker order with Chan et al.'s pairwise formula (not Σx and Σx², which
 * cancel badly in float); in its backward pass each shard's per-channel Σdy and Σdy·x̂, summed in worker order. Every
 * transport (the parameter server, the peer mesh, the reference engine's jobs) merges with {@link #merge}, so every
 * engine and every k computes the same bytes. Without a context (one process: the {@code local} engine, a user's
 * {@code fit} or {@code output}) the layer's own batch is the whole batch.
 *
 * <p>A statistics vector is {@code [layer, forward ? 1 : 0, count, a_0 … a_{C−1}, b_0 … b_{C−1}]}: forward a = mean,
 * b = M2; backward a = Σdy, b = Σdy·x̂. The first two entries let every merge check that all workers are at the same
 * layer and pass.
 */
public final class BatchNormExchange {
    private static final ThreadLocal<Context> CURRENT = new ThreadLocal<>();
    /** Where a statistics vector's per-channel values begin. */
    public static final int HEADER = 3;

    private BatchNormExchange() {
    }

    /** An engine's in-step collective. */
    public interface Exchange {
        /**
         * Exchanges this worker's statistics vector of collective {@code pass} of step {@code step} with every other
         * worker's and returns them merged ({@link #merge}). Failures come as unchecked exceptions (a layer calls
         * it from inside DL4J's forward or backward pass).
         */
        Merged exchange(long step, int pass, double[] mine);

        /**
         * An idle worker (an empty shard, {@link #idle}) is about to take part in the backward exchange of the
         * BatchNorm layer {@code layer}: a real worker would have finished the backward pass of every layer after it.
         */
        default void idleBackward(String layer) {
        }
    }

    /**
     * The merged statistics of one collective, the same on every worker.
     *
     * @param values the merged vector (forward: the global count, mean and M2; backward: the global sums)
     * @param writer the lowest worker with a non-empty shard (forward), which alone writes the running statistics'
     *               update of the step; -1 for a backward merge
     */
    public record Merged(double[] values, int writer) implements Serializable {
        /** The global count of values per channel. */
        public double count() {
            return values[2];
        }

        public int channels() {
            return (values.length - HEADER) / 2;
        }

        public double a(int c) {
            return values[HEADER + c];
        }

        public double b(int c) {
            return values[HEADER + channels() + c];
        }
    }

    /** The collective set on this thread: which step, which worker, how many exchanges so far. */
    private static final class Context {
        final long step;
        final int worker;
        final Exchange exchange;
        int passes;

        Context(long step, int worker, Exchange exchange) {
            this.step = step;
            this.worker = worker;
            this.exchange = exchange;
        }
    }

    /** Runs {@code body} (one forward + backward pass of worker {@code worker}'s shard) with the collective set. */
    public static <T> T with(long step, int worker, Exchange exchange, Supplier<T> body) {
        Context previous = CURRENT.get();
        CURRENT.set(new Context(step, worker, exchange));
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** A layer's exchange: merged over every worker with a collective set, else its own vector, merged alone. */
    static Merged exchange(double[] mine) {
        Context c = CURRENT.get();
        if (c == null) {
            return merge(List.of(mine));
        }
        return c.exchange.exchange(c.step, c.passes++, mine);
    }

    /** This thread's worker index (0 without a collective). */
    static int worker() {
        Context c = CURRENT.get();
        return c == null ? 0 : c.worker;
    }

    /** A statistics vector of {@code channels} channels with its header set; the caller fills in the values. */
    public static double[] vector(int layer, boolean forward, double count, int channels) {
        double[] v = new double[HEADER + 2 * channels];
        v[0] = layer;
        v[1] = forward ? 1 : 0;
        v[2] = count;
        return v;
    }

    /**
     * Merges the workers' statistics vectors of one collective, in worker order. Forward: Chan et al.'s pairwise
     * update, n = na + nb, δ = mean_b − mean_a, mean = mean_a + δ·nb/n, M2 = M2_a + M2_b + δ²·na·nb/n, empty shards
     * (count 0) skipped; backward: plain sums. The same arithmetic wherever it runs (Java doubles are IEEE-strict).
     *
     * @throws IllegalArgumentException if the vectors are not of one layer and pass, or malformed
     */
    public static Merged merge(List<double[]> perWorker) {
        double[] first = perWorker.get(0);
        if (first.length < HEADER || (first.length - HEADER) % 2 != 0) {
            throw new IllegalArgumentException("a BatchNorm statistics vector of " + first.length + " values");
        }
        boolean forward = first[1] == 1;
        double[] merged = first.clone();
        int writer = -1;
        for (int w = 0; w < perWorker.size(); w++) {
            double[] s = perWorker.get(w);
            if (s.length != first.length || s[0] != first[0] || s[1] != first[1]) {
                throw new IllegalArgumentException("worker " + w + " sent BatchNorm statistics of layer " + s[0]
                        + (s[1] == 1 ? " forward" : " backward") + " (" + s.length + " values) where worker 0 sent "
                        + "layer " + first[0] + (forward ? " forward" : " backward") + " (" + first.length + ")");
            }
            if (!(s[2] >= 0) || s[2] != Math.rint(s[2])) {
                throw new IllegalArgumentException("worker " + w + " sent a BatchNorm count of " + s[2]);
            }
            if (!forward) {
                if (w > 0) {
                    for (int i = 2; i < s.length; i++) {
                        merged[i] += s[i];
                    }
                }
                continue;
            }
            if (s[2] == 0) {
                continue;
            }
            if (writer < 0) {
                writer = w;
                System.arraycopy(s, 2, merged, 2, s.length - 2);
                continue;
            }
            int channels = (s.length - HEADER) / 2;
            double na = merged[2];
            double nb = s[2];
            double n = na + nb;
            for (int c = 0; c < channels; c++) {
                int m = HEADER + c;
                int q = HEADER + channels + c;
                double delta = s[m] - merged[m];
                merged[m] = merged[m] + delta * nb / n;
                merged[q] = merged[q] + s[q] + delta * delta * na * nb / n;
            }
            merged[2] = n;
        }
        if (forward && writer < 0) {
            Arrays.fill(merged, 2, merged.length, 0.0);
        }
        return new Merged(merged, writer);
    }

    /** The network's synchronized BatchNorm layers in the order its forward pass runs them: (name, channels). */
    public static List<Layer> layers(ComputationGraph net) {
        List<Layer> layers = new ArrayList<>();
        GraphVertex[] vertices = net.getVertices();
        for (int i : net.topologicalSortOrder()) {
            GraphVertex v = vertices[i];
            if (v.hasLayer() && v.getLayer() instanceof SyncBatchNormalizationLayer bn) {
                layers.add(new Layer(v.getVertexName(), bn.getIndex(), (int) bn.layerConf().getNOut()));
            }
        }
        return layers;
    }

    /** A synchronized BatchNorm layer of a graph: its vertex name, its layer index, its channel count. */
    public record Layer(String name, int index, int channels) {
    }

    /**
     * The part of an empty shard's worker in a step: it takes part in every collective of the step, in the order a
     * worker with rows runs them (each layer's forward in topological order, then each layer's backward in reverse),
     * with empty statistics, so the others' exchanges complete. Its gradient is all zeros.
     */
    public static void idle(ComputationGraph net) {
        Context c = CURRENT.get();
        if (c == null) {
            return;
        }
        List<Layer> layers = layers(net);
        for (Layer l : layers) {
            c.exchange.exchange(c.step, c.passes++, vector(l.index(), true, 0, l.channels()));
        }
        for (int i = layers.size() - 1; i >= 0; i--) {
            Layer l = layers.get(i);
            c.exchange.idleBackward(l.name());
            c.exchange.exchange(c.step, c.passes++, vector(l.index(), false, 0, l.channels()));
        }
    }
}

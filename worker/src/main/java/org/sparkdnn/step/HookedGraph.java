package org.sparkdnn.step;

import java.util.Arrays;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A ComputationGraph whose layers tell an {@link ExchangeProgress} when their backward pass is done and wait for their
 * parameters before they read them (forward pass, score, backward pass): the hooks that let a worker's exchange overlap its computation
 * ({@code cluster.peer.overlap}). DL4J runs a step's backward pass in one call and has no per-layer callback; so after
 * {@code init} each plain {@link LayerVertex} with parameters is replaced, in the graph's vertex array and name map,
 * by a subclass of it that adds the two hooks around DL4J's own {@code doForward}/{@code doBackward} (a subclass, so
 * DL4J's {@code instanceof LayerVertex} checks still hold). Without a progress set the hooks do nothing; the
 * arithmetic is DL4J's either way.
 */
public final class HookedGraph extends ComputationGraph {
    private transient volatile ExchangeProgress progress;
    private long[] layerStarts = new long[0];
    private boolean everyLayerHooked;

    public HookedGraph(ComputationGraphConfiguration configuration) {
        super(configuration);
    }

    @Override
    public void init(INDArray parameters, boolean cloneParametersArray) {
        boolean first = !initCalled;
        super.init(parameters, cloneParametersArray);
        if (first) {
            hook();
        }
    }

    private void hook() {
        Map<String, long[]> ranges = SliceUpdate.layerRanges(this);
        long[] starts = new long[vertices.length];
        int hooked = 0;
        for (int i = 0; i < vertices.length; i++) {
            GraphVertex v = vertices[i];
            long[] range = ranges.get(v.getVertexName());
            if (v.getClass() == LayerVertex.class && range != null && range[0] < range[1]) {
                Hooked h = new Hooked(this, (LayerVertex) v, range[0], range[1]);
                vertices[i] = h;
                verticesMap.put(v.getVertexName(), h);
                starts[hooked++] = range[0];
            }
        }
        layerStarts = Arrays.copyOf(starts, hooked);
        Arrays.sort(layerStarts);
        everyLayerHooked = hooked == ranges.values().stream().filter(r -> r[0] < r[1]).count();
    }

    /**
     * The first parameter of each hooked layer, in increasing order: an {@link ExchangeProgress} over them can stream
     * the gradient if they tile the parameters (every layer with parameters is hooked).
     */
    public long[] layerStarts() {
        return layerStarts.clone();
    }

    /** Whether every layer with parameters is hooked (else the gradient is final only after the whole backward). */
    public boolean everyLayerHooked() {
        return everyLayerHooked;
    }

    /** The progress the hooks report to and wait on; null: no hooks. */
    public void progress(ExchangeProgress progress) {
        this.progress = progress;
    }

    /** A DL4J layer vertex that waits for its parameters before its forward pass and reports its finished backward. */
    private static final class Hooked extends LayerVertex {
        private final HookedGraph owner;
        private final long start;
        private final long end;

        Hooked(HookedGraph graph, LayerVertex v, long start, long end) {
            super(graph, v.getVertexName(), v.getVertexIndex(), v.getInputVertices(), v.getOutputVertices(),
                    v.getLayer(), v.getLayerPreProcessor(), v.isOutputVertex(), v.getDataType());
            setSetLayerInput(v.isSetLayerInput());
            this.owner = graph;
            this.start = start;
            this.end = end;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            awaitParameters();
            return super.doForward(training, workspaceMgr);
        }

        /** An output layer runs no forward pass in training: DL4J computes its output in the score and backward. */
        @Override
        public double computeScore(double fullNetRegTerm, boolean training, LayerWorkspaceMgr workspaceMgr) {
            awaitParameters();
            return super.computeScore(fullNetRegTerm, training, workspaceMgr);
        }

        @Override
        public INDArray computeScoreForExamples(double fullNetRegTerm, LayerWorkspaceMgr workspaceMgr) {
            awaitParameters();
            return super.computeScoreForExamples(fullNetRegTerm, workspaceMgr);
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            awaitParameters();
            Pair<Gradient, INDArray[]> result = super.doBackward(tbptt, workspaceMgr);
            ExchangeProgress p = owner.progress;
            if (p != null) {
                p.backwardDone(start);
            }
            return result;
        }

        private void awaitParameters() {
            ExchangeProgress p = owner.progress;
            if (p != null) {
                p.awaitGathered(end);
            }
        }
    }
}

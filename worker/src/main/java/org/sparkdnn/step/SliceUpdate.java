package org.sparkdnn.step;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * DL4J's update of a slice of a network's flat parameters, [from, to) or disjoint ranges ({@code exchange: peer} with
 * owner slices: each worker updates only its 1/k of the parameters and keeps only its 1/k of the optimizer state). It does
 * per element what DL4J's {@code BaseMultiLayerUpdater.update} and {@code UpdaterBlock.update} do for the whole
 * network — division by the batch size where the layer asks for it, the regularizations before the updater (l1, l2),
 * the updater itself (its own instance of the block's {@code IUpdater} over this slice's state), those after it
 * (weight decay), params −= update — in the same order, so each value is bitwise DL4J's. Per-layer gradient
 * normalization (clipping) needs the whole layer's norm, which no slice holds: {@link #unsupported} says so.
 *
 * <p>The optimizer state of an updater block of n parameters is s·n values (s arrays of n: Adam's m then v, …);
 * this slice's state is, per block it overlaps, the same s arrays cut to the overlap ({@link #statePieces}).
 */
public final class SliceUpdate {
    private final ComputationGraph net;
    private final List<long[]> ranges;
    private final List<Part> parts = new ArrayList<>();
    private long wholeState; // the length of DL4J's whole updater state of the network

    /**
     * The overlap [start, end) of one updater block with the slice, and its updater over the overlap's state. It
     * copies what it needs of DL4J's block (offsets, variables, the block's {@code IUpdater}) and keeps no reference
     * to DL4J's updater, so the replica holds no whole-network optimizer state.
     */
    private static final class Part {
        final int blockStart;
        final int blockEnd;
        final int stateStart; // the block's first value in DL4J's whole updater state
        final List<UpdaterBlock.ParamState> variables;
        final IUpdater config;
        final int start;
        final int end;
        final int stateArrays; // s
        GradientUpdater updater;
        INDArray state; // what the updater was instantiated over, and updates in place: s arrays of end − start

        Part(UpdaterBlock block, int start, int end, int stateArrays) {
            this.blockStart = block.getParamOffsetStart();
            this.blockEnd = block.getParamOffsetEnd();
            this.stateStart = block.getUpdaterViewOffsetStart();
            this.variables = List.copyOf(block.getLayersAndVariablesInBlock());
            UpdaterBlock.ParamState first = variables.get(0);
            this.config = first.getLayer().getConfig().getUpdaterByParam(first.getParamName());
            this.start = start;
            this.end = end;
            this.stateArrays = stateArrays;
        }
    }

    /**
     * DL4J's updater blocks are read from the network's updater if it has one, else from a throwaway one (its whole
     * state array is garbage afterwards): a replica's own updater is never created, nor its state kept.
     */
    public SliceUpdate(ComputationGraph net, long from, long to) {
        this(net, List.of(new long[] {from, to}));
    }

    /**
     * The update of several disjoint ranges [start, end), in increasing order (a worker's pieces of every bucket,
     * {@code Buckets.owned}); its state is the ranges' {@link #statePieces} in that order.
     */
    public SliceUpdate(ComputationGraph net, List<long[]> ranges) {
        this.net = net;
        this.ranges = List.copyOf(ranges);
        List<UpdaterBlock> blocks = blocks(net);
        for (UpdaterBlock b : blocks) {
            wholeState = Math.max(wholeState, b.getUpdaterViewOffsetEnd());
        }
        for (long[] range : this.ranges) {
            for (UpdaterBlock b : blocks) {
                int start = (int) Math.max(range[0], b.getParamOffsetStart());
                int end = (int) Math.min(range[1], b.getParamOffsetEnd());
                int n = b.getParamOffsetEnd() - b.getParamOffsetStart();
                int state = b.getUpdaterViewOffsetEnd() - b.getUpdaterViewOffsetStart();
                if (state % n != 0) {
                    throw new IllegalStateException("an updater block of " + n + " parameters keeps " + state
                            + " state values, not a multiple: owner slices cannot cut it");
                }
                if (start < end) {
                    parts.add(new Part(b, start, end, state / n));
                }
            }
        }
    }

    /** DL4J's updater blocks of the network: its updater's if it has one, else a throwaway's (no side effect). */
    private static List<UpdaterBlock> blocks(ComputationGraph net) {
        ComputationGraphUpdater own = net.getUpdater(false);
        return (own != null ? own : new ComputationGraphUpdater(net))
                .getUpdaterBlocks();
    }

    /** Each layer's range [start, end) of the flat parameters, by layer (vertex) name, from DL4J's updater blocks. */
    public static Map<String, long[]> layerRanges(ComputationGraph net) {
        Map<String, long[]> ranges = new HashMap<>();
        for (UpdaterBlock b : blocks(net)) {
            for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                long[] r = ranges.computeIfAbsent(p.getLayer().getConfig().getLayerName(),
                        name -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
                r[0] = Math.min(r[0], p.getParamOffsetStart());
                r[1] = Math.max(r[1], p.getParamOffsetEnd());
            }
        }
        return ranges;
    }

    /** Why owner slices cannot update this network exactly (per-layer gradient normalization), or null. */
    public static String unsupported(ComputationGraph net) {
        for (UpdaterBlock b : blocks(net)) {
            for (UpdaterBlock.ParamState p : b.getLayersAndVariablesInBlock()) {
                GradientNormalization g = p.getLayer().getConfig().getGradientNormalization();
                if (g != null && g != GradientNormalization.None) {
                    return "layer " + p.getLayer().getConfig().getLayerName() + " normalizes its gradient (" + g
                            + "), which needs the whole layer's gradient";
                }
                if (p.getLayer().getConfig().isPretrainParam(p.getParamName())) {
                    return "layer " + p.getLayer().getConfig().getLayerName() + " has pretraining parameters";
                }
            }
        }
        return null;
    }

    /**
     * The ranges [start, end) of the network's flat updater state that slice [from, to) keeps, in order: per block
     * it overlaps, the overlap of each of the block's s state arrays.
     */
    public static List<long[]> statePieces(ComputationGraph net, long from, long to) {
        return statePieces(net, List.of(new long[] {from, to}));
    }

    /** {@link #statePieces(ComputationGraph, long, long)} of each range, in order. */
    public static List<long[]> statePieces(ComputationGraph net, List<long[]> ranges) {
        List<long[]> pieces = new ArrayList<>();
        List<UpdaterBlock> blocks = blocks(net);
        for (long[] range : ranges) {
            statePieces(blocks, range[0], range[1], pieces);
        }
        return pieces;
    }

    private static void statePieces(List<UpdaterBlock> blocks, long from, long to, List<long[]> pieces) {
        for (UpdaterBlock b : blocks) {
            long start = Math.max(from, b.getParamOffsetStart());
            long end = Math.min(to, b.getParamOffsetEnd());
            long n = b.getParamOffsetEnd() - b.getParamOffsetStart();
            long s = (b.getUpdaterViewOffsetEnd() - b.getUpdaterViewOffsetStart()) / n;
            for (long a = 0; a < s && start < end; a++) {
                long base = b.getUpdaterViewOffsetStart() + a * n - b.getParamOffsetStart();
                pieces.add(new long[] {base + start, base + end});
            }
        }
    }

    /** The number of state values this slice keeps. */
    public static long stateLength(List<long[]> pieces) {
        long n = 0;
        for (long[] p : pieces) {
            n += p[1] - p[0];
        }
        return n;
    }

    /**
     * Takes this slice's optimizer state from a whole DL4J updater state of the network (the master's, as the driver
     * sends it; null for an optimizer without state): each block's updater is instantiated afresh over a copy of the
     * slice's pieces.
     *
     * @throws IllegalArgumentException if the state does not fit the network (nothing is changed then)
     */
    public void loadState(INDArray whole) {
        long got = whole == null ? 0 : whole.length();
        if (got != wholeState) {
            throw new IllegalArgumentException("optimizer state of " + got + " values for a network whose optimizer "
                    + "keeps " + wholeState);
        }
        INDArray flatWhole = whole == null ? null : flat(whole);
        for (Part p : parts) {
            int length = p.end - p.start;
            int n = p.blockEnd - p.blockStart;
            INDArray state = null;
            if (p.stateArrays > 0) {
                state = Nd4j.createUninitialized(whole.dataType(), 1, (long) p.stateArrays * length);
                for (int a = 0; a < p.stateArrays; a++) {
                    long source = p.stateStart + (long) a * n + p.start - p.blockStart;
                    state.get(NDArrayIndex.point(0), NDArrayIndex.interval((long) a * length, (long) (a + 1) * length))
                            .assign(flatWhole.get(NDArrayIndex.interval(source, source + length)));
                }
            }
            p.updater = p.config.instantiate(state, false);
            p.state = state;
        }
    }

    /** This slice's optimizer state, the pieces of {@link #statePieces} concatenated; null when it keeps none. */
    public INDArray state() {
        List<INDArray> pieces = new ArrayList<>();
        for (Part p : parts) {
            if (p.state != null) {
                pieces.add(flat(p.state));
            }
        }
        return pieces.isEmpty() ? null : pieces.size() == 1 ? pieces.get(0).dup() : Nd4j.concat(0,
                pieces.toArray(new INDArray[0]));
    }

    /**
     * Updates the slice: the summed gradient in the network's flat gradient view over its ranges becomes the update
     * and is subtracted from the parameters there. Iteration and epoch are the network's; they are not advanced.
     */
    public void apply(int batchSize, int iteration, int epoch) {
        if (parts.stream().anyMatch(p -> p.updater == null)) {
            throw new IllegalStateException("the slice's optimizer state was never loaded");
        }
        INDArray gradients = flat(net.getFlattenedGradients());
        INDArray params = flat(net.params());
        for (Part p : parts) {
            for (UpdaterBlock.ParamState v : p.variables) {
                if (v.getLayer().updaterDivideByMinibatch(v.getParamName())) {
                    long[] r = overlap(v, p);
                    if (r != null) {
                        gradients.get(NDArrayIndex.interval(r[0], r[1])).divi(batchSize);
                    }
                }
            }
        }
        for (Part p : parts) {
            Trainable l0 = p.variables.get(0).getLayer();
            if (l0.numParams() == 0) {
                continue;
            }
            IUpdater config = p.updater.getConfig();
            double lr = config.hasLearningRate() ? config.getLearningRate(iteration, epoch) : 1.0;
            regularize(Regularization.ApplyStep.BEFORE_UPDATER, p, gradients, params, lr, iteration, epoch);
            p.updater.applyUpdater(row(gradients, p.start, p.end), iteration, epoch);
            regularize(Regularization.ApplyStep.POST_UPDATER, p, gradients, params, lr, iteration, epoch);
        }
        for (long[] r : ranges) {
            params.get(NDArrayIndex.interval(r[0], r[1])).subi(gradients.get(NDArrayIndex.interval(r[0], r[1])));
        }
    }

    private static void regularize(Regularization.ApplyStep step, Part p, INDArray gradients, INDArray params,
                                   double lr, int iteration, int epoch) {
        for (UpdaterBlock.ParamState v : p.variables) {
            long[] r = overlap(v, p);
            List<Regularization> regs = v.getLayer().getConfig().getRegularizationByParam(v.getParamName());
            if (r == null || regs == null) {
                continue;
            }
            for (Regularization reg : regs) {
                if (reg.applyStep() == step) {
                    reg.apply(row(params, r[0], r[1]), row(gradients, r[0], r[1]), lr, iteration, epoch);
                }
            }
        }
    }

    /** The overlap of variable {@code v} with the part, or null. */
    private static long[] overlap(UpdaterBlock.ParamState v, Part p) {
        long start = Math.max(v.getParamOffsetStart(), p.start);
        long end = Math.min(v.getParamOffsetEnd(), p.end);
        return start < end ? new long[] {start, end} : null;
    }

    /** Values [start, end) of a flat whole-buffer array as a [1, end − start] view, as DL4J's block views are. */
    private static INDArray row(INDArray flat, long start, long end) {
        return flat.reshape(1, flat.length()).get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(start, end));
    }

    private static INDArray flat(INDArray a) {
        return a.reshape(a.length());
    }
}

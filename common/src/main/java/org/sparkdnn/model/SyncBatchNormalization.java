package org.sparkdnn.model;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's BatchNormalization configuration whose layer normalises by the statistics of the whole global batch when an
 * engine trains shards of it ({@link SyncBatchNormalizationLayer}, {@link BatchNormExchange}). Same parameters in the
 * same order as DL4J's (γ, β, running mean, running log10(std) or variance), same updaters (none for the running
 * statistics), same JSON fields: a model zip holding it loads wherever this class is on the classpath, and
 * {@link #toDl4j} turns a network back into plain DL4J BatchNormalization.
 */
public class SyncBatchNormalization extends BatchNormalization {
    private static final long serialVersionUID = 1L;

    /** For Jackson (DL4J's JSON); use {@link #of}. */
    public SyncBatchNormalization() {
    }

    /** The synchronized form of DL4J's {@code layer}: every field copied. */
    public static SyncBatchNormalization of(BatchNormalization layer) {
        SyncBatchNormalization sync = new SyncBatchNormalization();
        copyFields(layer, sync);
        return sync;
    }

    /** Plain DL4J BatchNormalization with every field of {@code layer}. */
    public static BatchNormalization plain(BatchNormalization layer) {
        BatchNormalization plain = new BatchNormalization();
        copyFields(layer, plain);
        return plain;
    }

    private static void copyFields(BatchNormalization from, BatchNormalization to) {
        for (Class<?> c = BatchNormalization.class; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                try {
                    f.set(to, f.get(from));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("cannot copy BatchNormalization's " + f.getName(), e);
                }
            }
        }
    }

    @Override
    public Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners, int layerIndex,
                             INDArray layerParamsView, boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNOutSet("SyncBatchNormalization", getLayerName(), layerIndex, getNOut());
        SyncBatchNormalizationLayer layer = new SyncBatchNormalizationLayer(conf, networkDataType);
        layer.setListeners(listeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        Map<String, INDArray> params = initializer().init(conf, layerParamsView, initializeParams);
        layer.setParamTable(params);
        layer.setConf(conf);
        return layer;
    }

    /**
     * {@code net} with every DL4J BatchNormalization replaced by the synchronized one (same math on one process; exact
     * under sharding), its parameters, optimizer state and counts carried over; {@code net} itself when it has none to
     * replace. The names of the replaced layers go to {@code replaced}.
     *
     * @throws IllegalArgumentException for a BatchNormalization the synchronized layer does not cover (NHWC, locked
     *                                  γ/β), naming it
     */
    public static ComputationGraph synchronize(ComputationGraph net, List<String> replaced) {
        return swap(net, replaced, true);
    }

    /** {@code net} with every synchronized BatchNorm turned back into DL4J's own (DL4J's trainers, plain users). */
    public static ComputationGraph toDl4j(ComputationGraph net) {
        return swap(net, new ArrayList<>(), false);
    }

    private static ComputationGraph swap(ComputationGraph net, List<String> replaced, boolean toSync) {
        ComputationGraphConfiguration conf = net.getConfiguration().clone();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            if (!(e.getValue() instanceof LayerVertex v) || !(v.getLayerConf().getLayer() instanceof BatchNormalization bn)) {
                continue;
            }
            boolean sync = bn instanceof SyncBatchNormalization;
            if (sync == toSync) {
                continue;
            }
            if (toSync && (bn.isLockGammaBeta() || bn.getCnn2DFormat() != CNN2DFormat.NCHW)) {
                throw new IllegalArgumentException("BatchNormalization layer '" + e.getKey() + "' has "
                        + (bn.isLockGammaBeta() ? "locked gamma/beta" : "format " + bn.getCnn2DFormat())
                        + ", which the synchronized BatchNorm does not support (learned gamma/beta, NCHW)");
            }
            v.getLayerConf().setLayer(toSync ? of(bn) : plain(bn));
            replaced.add(e.getKey());
        }
        if (replaced.isEmpty()) {
            return net;
        }
        ComputationGraph swapped = new ComputationGraph(conf);
        swapped.init(net.params().dup(), false);
        INDArray state = net.getUpdater() == null ? null : net.getUpdater().getStateViewArray();
        if (state != null && !state.isEmpty()) {
            swapped.getUpdater().getStateViewArray().assign(state);
        }
        swapped.getConfiguration().setIterationCount(net.getIterationCount());
        swapped.getConfiguration().setEpochCount(net.getEpochCount());
        NativeConv.install(swapped);
        return swapped;
    }
}

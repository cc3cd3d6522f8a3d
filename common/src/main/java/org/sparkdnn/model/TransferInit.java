package org.sparkdnn.model;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.io.Storage;

/**
 * Transfer learning ({@code model.init}): a trained network (a DL4J model zip, or a checkpoint directory's
 * model.zip) with this run's optimizer, a new output layer when the number of outputs differs, and the first n hidden
 * layers frozen ({@code model.freezeLayers}, DL4J's feature extractor).
 */
final class TransferInit {
    private TransferInit() {
    }

    static ComputationGraph from(String uri, int freezeLayers, IoShape shape, Storage storage, FineTuneConfiguration tune,
                                 DataType dataType, Consumer<ComputationGraph> regularize) {
        ComputationGraph source = restore(uri, storage);
        long inputs = inputsOf(source);
        if (inputs >= 0 && inputs != shape.inputs()) {
            throw new ConfigException("model.init", "has " + inputs + " inputs but the data has " + shape.inputs()
                    + " features", uri);
        }
        TransferLearning.GraphBuilder builder = new TransferLearning.GraphBuilder(source).fineTuneConfiguration(tune);
        if (source.layerSize(ModelFactory.OUTPUT) != shape.outputs()) {
            builder.nOutReplace(ModelFactory.OUTPUT, shape.outputs(), WeightInit.XAVIER);
        }
        if (freezeLayers > 0) {
            String last = "layer" + (freezeLayers - 1);
            if (source.getConfiguration().getVertices().get(last) == null) {
                throw new ConfigException("model.freezeLayers", "must not exceed the hidden layers of model.init ("
                        + uri + " has no vertex '" + last + "')", freezeLayers);
            }
            builder.setFeatureExtractor(last);
        }
        ComputationGraph graph = builder.build();
        if (graph.getConfiguration().getDataType() != dataType) {
            graph = graph.convertDataType(dataType);
        }
        regularize.accept(graph);
        return graph;
    }

    /** nIn of the first layer in topological order (-1 when it is not a feed-forward layer, e.g. a CNN). */
    private static long inputsOf(ComputationGraph graph) {
        Layer first = graph.getLayers()[0].conf().getLayer();
        return first instanceof FeedForwardLayer
                ? ((FeedForwardLayer) first).getNIn() : -1;
    }

    /** A model zip, or a checkpoint directory (its model.zip). */
    private static ComputationGraph restore(String uri, Storage storage) {
        String zip = uri.endsWith(".zip") ? uri : uri + "/model.zip";
        try (InputStream in = storage.openRaw(zip)) {
            return ModelZip.read(zip, in, false);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("model.init", "must be a DL4J model zip or a checkpoint directory ("
                    + e.getMessage() + ")", uri);
        }
    }
}

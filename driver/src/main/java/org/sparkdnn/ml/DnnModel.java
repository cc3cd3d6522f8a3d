package org.sparkdnn.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.model.ModelZip;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Loss;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.io.Storage;
import org.sparkdnn.run.RunScaler;
import scala.Option;

/**
 * A trained network as a Spark ML {@link Model}: {@code transform} adds the prediction columns on the executors — the
 * model zip is broadcast once, each partition restores the network once and runs it on batches of
 * {@code inferenceBatchSize} rows, after the same feature scaling as in training. A classifier adds
 * {@code rawPrediction} (the logits), {@code probability} and {@code prediction} (the class index, as a double),
 * a regressor {@code prediction}. Saved and loaded with Spark ML's writer/reader (inside a PipelineModel too): the
 * params as Spark's metadata, the network as {@code data/model.zip}, the rest in {@code data/dnn.json}.
 */
public final class DnnModel extends Model<DnnModel> implements MLWritable, PredictionParams {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String uid;
    private final byte[] network;
    private final Loss loss;
    private final int features;
    private final int outputs;
    private final float[] shift;
    private final float[] scale;
    private final String summaryJson;
    private final Shared shared;

    DnnModel(String uid, byte[] network, Loss loss, int features, int outputs, float[] shift, float[] scale,
             String summaryJson) {
        this.uid = uid;
        this.network = network;
        this.loss = loss;
        this.features = features;
        this.outputs = outputs;
        this.shift = shift;
        this.scale = scale;
        this.summaryJson = summaryJson;
        this.shared = Shared.of(this, this::setDefault);
    }

    /** The model of a finished run in {@code output}: its model.zip and, when it scaled features, scaler.json. */
    static DnnModel fromRun(String uid, Storage storage, String output, String lossName, int features,
                            Map<String, Object> summary) {
        try {
            byte[] network;
            try (InputStream in = storage.openRaw(output + "/model.zip")) {
                network = in.readAllBytes();
            }
            return fromRun(uid, storage, output, lossName, features, summary, network, restore(output + "/model.zip", network));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trained model in " + output, e);
        }
    }

    private static DnnModel fromRun(String uid, Storage storage, String output, String lossName, int features,
                                    Map<String, Object> summary, byte[] network, ComputationGraph net) {
        try {
            Optional<Scaler> scaler = RunScaler.read(storage, output);
            float[] shift = scaler.map(Scaler::shift).orElse(null);
            float[] scale = scaler.map(Scaler::scale).orElse(null);
            int outputs = (int) net.outputSingle(false, Nd4j.zeros(net.params().dataType(), 1, features)).size(1);
            Map<String, Object> kept = new LinkedHashMap<>(summary);
            kept.put("outputDir", output);
            return new DnnModel(uid, network, Loss.valueOf(lossName), features, outputs, shift, scale,
                    JSON.writeValueAsString(kept));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trained model in " + output, e);
        }
    }

    /**
     * A saved run's model for prediction: {@code modelZip} plus, beside it, scaler.json (when the run scaled its
     * features) and summary.json (if there).
     */
    public static DnnModel fromFiles(Storage storage, String modelZip, Loss loss) throws IOException {
        String dir = modelZip.contains("/") ? modelZip.substring(0, modelZip.lastIndexOf('/')) : ".";
        byte[] network;
        try (InputStream in = storage.openRaw(modelZip)) {
            network = in.readAllBytes();
        }
        ComputationGraph net = restore(modelZip, network);
        // the input width: what the first layer fed by the network's input expects
        var conf = net.getConfiguration();
        String input = conf.getNetworkInputs().get(0);
        int features = -1;
        for (var e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(input) && net.getVertex(e.getKey()).hasLayer()) {
                features = (int) net.layerInputSize(e.getKey());
                break;
            }
        }
        if (features <= 0) {
            throw new IOException(modelZip + ": no layer reads the network's input '" + input + "' directly");
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        if (storage.exists(dir + "/summary.json")) {
            summary.putAll(JSON.readValue(storage.readString(dir + "/summary.json"), Map.class));
        }
        return fromRun("dnnModel_" + Integer.toHexString(Arrays.hashCode(network)), storage, dir,
                loss.name(), features, summary, network, net);
    }

    static ComputationGraph restore(String name, byte[] zip) throws IOException {
        return ModelZip.read(name, zip, false);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Shared shared() {
        return shared;
    }

    public DnnModel setFeaturesCol(String value) {
        set(featuresCol(), value);
        return this;
    }

    public DnnModel setPredictionCol(String value) {
        set(predictionCol(), value);
        return this;
    }

    public DnnModel setInferenceBatchSize(int value) {
        set(inferenceBatchSize(), value);
        return this;
    }

    /** The same model with another feature scaling (applied before the network in {@code transform}). */
    public DnnModel withScaler(Scaler scaler) {
        DnnModel m = new DnnModel(uid, network, loss, features, outputs, scaler.shift(), scaler.scale(), summaryJson);
        return copyValues(m, ParamMap.empty());
    }

    /** Whether it predicts classes (softmax cross-entropy or BCE with logits) rather than numbers. */
    public boolean isClassifier() {
        return loss.isClassification();
    }

    /** Number of classes of a classifier (2 for BCE with logits), 0 for a regressor. */
    public int numClasses() {
        return loss == Loss.SOFTMAX_CROSS_ENTROPY ? outputs : loss == Loss.BCE_WITH_LOGITS ? 2 : 0;
    }

    public int numFeatures() {
        return features;
    }

    /** The training run's summary.json (metrics, steps, paramsSha256, engine), plus its output dir. */
    public String summary() {
        return summaryJson;
    }

    /** The network, restored from the model zip (for DL4J use outside Spark). */
    public ComputationGraph network() {
        try {
            return restore("the network of " + uid, network);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataFrameRows.checkFeatures(schema, getOrDefault(featuresCol()));
        return outputSchema(schema, getOrDefault(predictionCol()), isClassifier() ? getOrDefault(probabilityCol()) : null,
                isClassifier() ? getOrDefault(rawPredictionCol()) : null);
    }

    /** {@code schema} plus rawPrediction and probability (when not null, vectors) and prediction (double). */
    static StructType outputSchema(StructType schema, String prediction, String probability, String raw) {
        List<String> existing = List.of(schema.fieldNames());
        StructType out = schema;
        for (String c : new String[] {raw, probability}) {
            if (c != null && !c.isEmpty()) {
                refuseExisting(existing, c);
                out = out.add(c, DnnEstimator.vectorType(), false);
            }
        }
        refuseExisting(existing, prediction);
        return out.add(prediction, DataTypes.DoubleType, false);
    }

    private static void refuseExisting(List<String> existing, String column) {
        if (existing.contains(column)) {
            throw new IllegalArgumentException("output column '" + column + "' already exists");
        }
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        Broadcast<byte[]> zip = jsc.broadcast(network);
        boolean classifier = isClassifier();
        DnnPredictor predictor = new DnnPredictor(zip, loss, features, shift, scale,
                dataset.schema().fieldIndex(getOrDefault(featuresCol())), ((Number) getOrDefault(inferenceBatchSize())).intValue(),
                classifier && !getOrDefault(rawPredictionCol()).isEmpty(),
                classifier && !getOrDefault(probabilityCol()).isEmpty());
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(predictor);
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    @Override
    public DnnModel copy(ParamMap extra) {
        DnnModel copy = new DnnModel(uid, network, loss, features, outputs, shift, scale, summaryJson);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new DnnModelWriter(this);
    }

    public static MLReader<DnnModel> read() {
        return new DnnModelReader();
    }

    /** The model zip's bytes. */
    byte[] networkZip() {
        return network;
    }

    Loss loss() {
        return loss;
    }

    int outputs() {
        return outputs;
    }

    /** The feature scaling's shift and scale, or null without scaling. */
    float[] shift() {
        return shift;
    }

    float[] scale() {
        return scale;
    }

    public static DnnModel load(String path) {
        return read().load(path);
    }
}

package org.sparkdnn.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
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
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Loss;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.io.Storage;
import scala.Option;

/**
 * A trained network as a Spark ML {@link Model}: {@code transform} adds the prediction columns on the executors — the
 * model zip is broadcast once, each partition restores the network once and runs it on batches of
 * {@code inferenceBatchSize} rows, after the same feature scaling as in training. A classifier adds
 * {@code rawPrediction} (the logits), {@code probability} and {@code prediction} (the class index, as a double),
 * a regressor {@code prediction}. Saved and loaded with Spark ML's writer/reader (inside a PipelineModel too): the
 * params as Spark's metadata, the network as {@code data/model.zip}, the rest in {@code data/dnn.json}.
 */
public final class DnnModel extends Model<DnnModel> implements MLWritable {
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
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final IntParam inferenceBatchSize;

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
        featuresCol = new Param<>(this, "featuresCol", "features column: an ML Vector or an array of numbers");
        predictionCol = new Param<>(this, "predictionCol", "prediction column name");
        probabilityCol = new Param<>(this, "probabilityCol", "class probabilities column name (classifier)");
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "raw prediction (logits) column name (classifier)");
        inferenceBatchSize = new IntParam(this, "inferenceBatchSize", "rows per network call in transform");
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(inferenceBatchSize, 1024);
    }

    /** The model of a finished run in {@code output}: its model.zip and, when it scaled features, scaler.json. */
    static DnnModel fromRun(String uid, Storage storage, String output, String lossName, int features,
                            Map<String, Object> summary) {
        try {
            byte[] network;
            try (InputStream in = storage.openRaw(output + "/model.zip")) {
                network = in.readAllBytes();
            }
            return fromRun(uid, storage, output, lossName, features, summary, network, restore(network));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trained model in " + output, e);
        }
    }

    private static DnnModel fromRun(String uid, Storage storage, String output, String lossName, int features,
                                    Map<String, Object> summary, byte[] network, ComputationGraph net) {
        try {
            Optional<Scaler> scaler = org.sparkdnn.run.RunScaler.read(storage, output);
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
        ComputationGraph net = restore(network);
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
        return fromRun("dnnModel_" + Integer.toHexString(java.util.Arrays.hashCode(network)), storage, dir,
                loss.name(), features, summary, network, net);
    }

    static ComputationGraph restore(byte[] zip) throws IOException {
        return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(zip), false);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> predictionCol() {
        return predictionCol;
    }

    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    public Param<String> rawPredictionCol() {
        return rawPredictionCol;
    }

    public IntParam inferenceBatchSize() {
        return inferenceBatchSize;
    }

    public DnnModel setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public DnnModel setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    public DnnModel setInferenceBatchSize(int value) {
        set(inferenceBatchSize, value);
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
            return restore(network);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        DataFrameRows.checkFeatures(schema, getOrDefault(featuresCol));
        return outputSchema(schema, getOrDefault(predictionCol), isClassifier() ? getOrDefault(probabilityCol) : null,
                isClassifier() ? getOrDefault(rawPredictionCol) : null);
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
        Predictor predictor = new Predictor(zip, loss, features, shift, scale,
                dataset.schema().fieldIndex(getOrDefault(featuresCol)), ((Number) getOrDefault(inferenceBatchSize)).intValue(),
                classifier && !getOrDefault(rawPredictionCol).isEmpty(),
                classifier && !getOrDefault(probabilityCol).isEmpty());
        JavaRDD<Row> rows = dataset.toDF().javaRDD().mapPartitions(predictor);
        return dataset.sparkSession().createDataFrame(rows, out);
    }

    /** Runs on the executors: one network per partition, batched rows, the new columns appended to each row. */
    private static final class Predictor implements FlatMapFunction<Iterator<Row>, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<byte[]> zip;
        private final Loss loss;
        private final int width;
        private final float[] shift;
        private final float[] scale;
        private final int featuresIndex;
        private final int batch;
        private final boolean raw;
        private final boolean probability;

        Predictor(Broadcast<byte[]> zip, Loss loss, int width, float[] shift, float[] scale, int featuresIndex,
                  int batch, boolean raw, boolean probability) {
            this.zip = zip;
            this.loss = loss;
            this.width = width;
            this.shift = shift;
            this.scale = scale;
            this.featuresIndex = featuresIndex;
            this.batch = batch;
            this.raw = raw;
            this.probability = probability;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> input) throws Exception {
            ComputationGraph net = restore(zip.value());
            DataType type = net.params().dataType();
            Scaler scaler = shift == null ? null : Scaler.of(shift, scale);
            List<Row> out = new ArrayList<>();
            List<Row> pending = new ArrayList<>(batch);
            // buffers whole partitions' outputs in memory: fine for prediction columns, not for huge partitions
            while (input.hasNext()) {
                pending.add(input.next());
                if (pending.size() == batch || !input.hasNext()) {
                    predict(net, type, scaler, pending, out);
                    pending.clear();
                }
            }
            org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
            org.slf4j.LoggerFactory.getLogger(DnnModel.class).info("predicted {} rows of partition {} in {}",
                    out.size(), task == null ? -1 : task.partitionId(), java.lang.management.ManagementFactory
                            .getRuntimeMXBean().getName());
            return out.iterator();
        }

        private void predict(ComputationGraph net, DataType type, Scaler scaler, List<Row> rows, List<Row> out) {
            int n = rows.size();
            float[] x = new float[n * width];
            for (int r = 0; r < n; r++) {
                double[] f = DataFrameRows.features(rows.get(r), featuresIndex);
                if (f == null || f.length != width) {
                    throw new IllegalArgumentException("row with " + (f == null ? "null features" : f.length
                            + " features") + "; the model was trained on " + width);
                }
                for (int j = 0; j < width; j++) {
                    x[r * width + j] = (float) f[j];
                }
            }
            if (scaler != null) {
                scaler.applyInPlace(x, n);
            }
            INDArray logits = net.outputSingle(false, Nd4j.create(x, new long[] {n, width}, 'c').castTo(type))
                    .castTo(DataType.DOUBLE);
            for (int r = 0; r < n; r++) {
                Row row = rows.get(r);
                List<Object> values = new ArrayList<>(row.size() + 3);
                for (int i = 0; i < row.size(); i++) {
                    values.add(row.get(i));
                }
                double[] z = logits.getRow(r).toDoubleVector();
                if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
                    double[] p = softmax(z);
                    add(values, z, p);
                    values.add((double) argmax(z));
                } else if (loss == Loss.BCE_WITH_LOGITS) {
                    double p1 = 1 / (1 + Math.exp(-z[0]));
                    add(values, new double[] {-z[0], z[0]}, new double[] {1 - p1, p1});
                    values.add(z[0] > 0 ? 1.0 : 0.0);
                } else {
                    values.add(z[0]);
                }
                out.add(RowFactory.create(values.toArray()));
            }
        }

        private void add(List<Object> values, double[] rawValues, double[] probabilities) {
            if (raw) {
                values.add(Vectors.dense(rawValues));
            }
            if (probability) {
                values.add(Vectors.dense(probabilities));
            }
        }

        private static double[] softmax(double[] z) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z) {
                max = Math.max(max, v);
            }
            double sum = 0;
            double[] p = new double[z.length];
            for (int i = 0; i < z.length; i++) {
                p[i] = Math.exp(z[i] - max);
                sum += p[i];
            }
            for (int i = 0; i < z.length; i++) {
                p[i] /= sum;
            }
            return p;
        }

        private static int argmax(double[] z) {
            int best = 0;
            for (int i = 1; i < z.length; i++) {
                if (z[i] > z[best]) {
                    best = i;
                }
            }
            return best;
        }
    }

    @Override
    public DnnModel copy(ParamMap extra) {
        DnnModel copy = new DnnModel(uid, network, loss, features, outputs, shift, scale, summaryJson);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<DnnModel> read() {
        return new Reader();
    }

    public static DnnModel load(String path) {
        return read().load(path);
    }

    private static final class Writer extends MLWriter {
        private final DnnModel model;

        Writer(DnnModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
            try {
                Path data = new Path(path, "data");
                FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
                try (OutputStream out = fs.create(new Path(data, "model.zip"), false)) {
                    out.write(model.network);
                }
                Map<String, Object> meta = new LinkedHashMap<>();
                meta.put("loss", model.loss.name());
                meta.put("features", model.features);
                meta.put("outputs", model.outputs);
                meta.put("shift", model.shift);
                meta.put("scale", model.scale);
                meta.put("summary", model.summaryJson);
                try (OutputStream out = fs.create(new Path(data, "dnn.json"), false)) {
                    out.write(JSON.writeValueAsBytes(meta));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot save the model to " + path, e);
            }
        }
    }

    private static final class Reader extends MLReader<DnnModel> {
        @Override
        public DnnModel load(String path) {
            var metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sc(), DnnModel.class.getName());
            try {
                Path data = new Path(path, "data");
                FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
                byte[] network;
                try (InputStream in = fs.open(new Path(data, "model.zip"))) {
                    network = in.readAllBytes();
                }
                JsonNode meta;
                try (InputStream in = fs.open(new Path(data, "dnn.json"))) {
                    meta = JSON.readTree(in);
                }
                float[] shift = meta.get("shift").isNull() ? null : JSON.treeToValue(meta.get("shift"), float[].class);
                float[] scale = meta.get("scale").isNull() ? null : JSON.treeToValue(meta.get("scale"), float[].class);
                DnnModel model = new DnnModel(metadata.uid(), network, Loss.valueOf(meta.get("loss").asText()),
                        meta.get("features").asInt(), meta.get("outputs").asInt(), shift, scale,
                        meta.get("summary").asText());
                metadata.getAndSetParams(model, Option.empty());
                return model;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot load the model from " + path, e);
            }
        }
    }
}

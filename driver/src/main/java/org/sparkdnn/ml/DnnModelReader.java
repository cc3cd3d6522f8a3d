package org.sparkdnn.ml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.MLReader;
import org.sparkdnn.config.Loss;
import org.sparkdnn.model.ModelZip;
import scala.Option;

/** Loads a {@link DnnModel} that {@link DnnModelWriter} saved: Spark's metadata, {@code data/model.zip}, {@code data/dnn.json}. */
final class DnnModelReader extends MLReader<DnnModel> {
    static final ObjectMapper JSON = new ObjectMapper();

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
            ModelZip.check(new Path(data, "model.zip").toString(), network); // refused here, not first on executors
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

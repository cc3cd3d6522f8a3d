package org.sparkdnn.ml;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLWriter;
import scala.Option;

/**
 * Saves a {@link DnnModel} with Spark ML's writer (inside a PipelineModel too): the params as Spark's metadata, the
 * network as {@code data/model.zip}, the rest in {@code data/dnn.json} ({@link DnnModelReader} reads them back).
 */
final class DnnModelWriter extends MLWriter {
    private final DnnModel model;

    DnnModelWriter(DnnModel model) {
        this.model = model;
    }

    @Override
    public void saveImpl(String path) {
        DefaultParamsWriter$.MODULE$.saveMetadata(model, path, sc(), Option.empty(), Option.empty());
        try {
            Path data = new Path(path, "data");
            FileSystem fs = data.getFileSystem(sc().hadoopConfiguration());
            try (OutputStream out = fs.create(new Path(data, "model.zip"), false)) {
                out.write(model.networkZip());
            }
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("loss", model.loss().name());
            meta.put("features", model.numFeatures());
            meta.put("outputs", model.outputs());
            meta.put("shift", model.shift());
            meta.put("scale", model.scale());
            meta.put("summary", model.summary());
            try (OutputStream out = fs.create(new Path(data, "dnn.json"), false)) {
                out.write(DnnModelReader.JSON.writeValueAsBytes(meta));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model to " + path, e);
        }
    }
}

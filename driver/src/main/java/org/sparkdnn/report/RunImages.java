package org.sparkdnn.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.model.Augmentation;
import org.sparkdnn.model.DropoutContext;
import org.sparkdnn.model.ModelFactory;

/**
 * The pictures of a run's report ({@value #FILE} in the run's directory): a few training examples before and after
 * {@code data.augment} (the transforms of step 0, as training drew them), and the first convolution layer's filters
 * after training. Written at the end of a run whose model has either; each image is drawn with its own grey (or
 * colour) range.
 */
public final class RunImages {
    public static final String FILE = "images.json";
    public static final int EXAMPLES = 8;

    private RunImages() {
    }

    /** The pictures of {@code net} and {@code sample} (a few training rows, when the driver has them); empty if none. */
    public static Optional<Map<String, Object>> of(ComputationGraph net, Optional<ExampleMatrix> sample) {
        Map<String, Object> images = new LinkedHashMap<>();
        for (String name : net.getConfiguration().getTopologicalOrderStr()) {
            GraphVertex vertex = net.getConfiguration().getVertices().get(name);
            if (vertex instanceof LayerVertex v && v.getLayerConf().getLayer() instanceof ConvolutionLayer
                    && v.getLayerConf().getLayer().getClass() == ConvolutionLayer.class) {
                INDArray w = net.getParam(name + "_W").castTo(DataType.DOUBLE).dup('c'); // [out, in, kh, kw]
                images.put("filters", Map.of("layer", name, "shape", List.of(w.shape()[0], w.shape()[1], w.shape()[2],
                        w.shape()[3]), "values", w.data().asDouble()));
                break;
            }
        }
        GraphVertex augment = net.getConfiguration().getVertices().get(ModelFactory.AUGMENT);
        if (augment instanceof LayerVertex v && v.getLayerConf().getLayer().getIDropout() instanceof Augmentation a
                && sample.isPresent() && sample.get().count() > 0) {
            int n = Math.min(EXAMPLES, sample.get().count());
            INDArray x = sample.get().features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n),
                    org.nd4j.linalg.indexing.NDArrayIndex.all()).castTo(DataType.DOUBLE).dup('c');
            Augmentation transforms = (Augmentation) a.clone();
            INDArray after = DropoutContext.with(0, DropoutContext.range(0, n),
                    () -> transforms.applyDropout(x, x.dup(), 0, 0, null));
            images.put("augmented", Map.of("shape", List.of(a.getChannels(), a.getHeight(), a.getWidth()),
                    "before", rows(x), "after", rows(after)));
        }
        return images.isEmpty() ? Optional.empty() : Optional.of(images);
    }

    private static List<double[]> rows(INDArray m) {
        List<double[]> rows = new ArrayList<>();
        for (int i = 0; i < m.rows(); i++) {
            rows.add(m.getRow(i).dup().data().asDouble());
        }
        return rows;
    }

    /** One picture: its caption and a PNG data URI. */
    public record Picture(String caption, String uri) {
    }

    /** The filters of {@code images} as pictures (colour where they read 3 channels, else their first channel). */
    static List<Picture> filters(Map<String, Object> images) {
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) images.get("filters");
        if (f == null) {
            return List.of();
        }
        List<Number> shape = list(f.get("shape"));
        int out = shape.get(0).intValue();
        int in = shape.get(1).intValue();
        int kh = shape.get(2).intValue();
        int kw = shape.get(3).intValue();
        double[] values = doubles(f.get("values"));
        List<Picture> pictures = new ArrayList<>();
        int per = in * kh * kw;
        for (int o = 0; o < out; o++) {
            double[] filter = new double[per];
            System.arraycopy(values, o * per, filter, 0, per);
            pictures.add(new Picture(String.valueOf(o), png(filter, in == 3 ? 3 : 1, kh, kw, 48 / Math.max(kh, kw))));
        }
        return pictures;
    }

    /** Before/after pairs of the augmented examples. */
    static List<Picture> augmented(Map<String, Object> images) {
        @SuppressWarnings("unchecked")
        Map<String, Object> a = (Map<String, Object>) images.get("augmented");
        if (a == null) {
            return List.of();
        }
        List<Number> shape = list(a.get("shape"));
        int c = shape.get(0).intValue();
        int h = shape.get(1).intValue();
        int w = shape.get(2).intValue();
        List<Object> before = list(a.get("before"));
        List<Object> after = list(a.get("after"));
        List<Picture> pictures = new ArrayList<>();
        int scale = Math.max(1, 84 / Math.max(h, w));
        for (int i = 0; i < before.size(); i++) {
            pictures.add(new Picture(i + ": as read", png(doubles(before.get(i)), c == 3 ? 3 : 1, h, w, scale)));
            pictures.add(new Picture(i + ": augmented", png(doubles(after.get(i)), c == 3 ? 3 : 1, h, w, scale)));
        }
        return pictures;
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> list(Object o) {
        return (List<T>) o;
    }

    private static double[] doubles(Object o) {
        if (o instanceof double[] d) {
            return d;
        }
        List<Number> l = list(o);
        double[] d = new double[l.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = l.get(i).doubleValue();
        }
        return d;
    }

    /** {@code values} (channel first) as a PNG, its range stretched to 0..255, each pixel {@code scale}² pixels. */
    static String png(double[] values, int channels, int h, int w, int scale) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < channels * h * w; i++) {
            min = Math.min(min, values[i]);
            max = Math.max(max, values[i]);
        }
        double range = max > min ? max - min : 1;
        BufferedImage image = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h * scale; y++) {
            for (int x = 0; x < w * scale; x++) {
                int p = (y / scale) * w + x / scale;
                int[] rgb = new int[3];
                for (int c = 0; c < 3; c++) {
                    double v = values[(channels == 3 ? c : 0) * h * w + p];
                    rgb[c] = (int) Math.round(255 * (v - min) / range);
                }
                image.setRGB(x, y, (rgb[0] << 16) | (rgb[1] << 8) | rgb[2]);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
    }
}

package org.sparkdnn.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.apache.hadoop.fs.FileStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sparkdnn.io.Storage;

/**
 * {@code data.format: images}: a directory with one subfolder per class (label = the folder's index among the
 * folders sorted by name), each holding PNG/JPEG/GIF/BMP files, on any Hadoop file system, decoded with the JDK's
 * ImageIO (no native code). Each image is scaled to cover [height, width] (aspect kept, bilinear) and centre-cropped
 * to it; 1 channel is its grey level (a grey image's own samples; a colour image's luma 0.299 R + 0.587 G +
 * 0.114 B), 3 channels R, G, B; values 0..255, channel first. Rows in class then file-name order. A file that does not
 * decode fails the read naming its path, or with {@code data.onBadRecord: skip} is left out, counted and logged.
 */
public final class ImageFolderReader implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ImageFolderReader.class);

    private final int channels;
    private final int height;
    private final int width;
    private final boolean skipBad;

    /** @param shape [channels (1 or 3), height, width] */
    public ImageFolderReader(List<Integer> shape, boolean skipBad) {
        this.channels = shape.get(0);
        this.height = shape.get(1);
        this.width = shape.get(2);
        this.skipBad = skipBad;
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("images have 1 (grey) or 3 (RGB) channels, not " + channels);
        }
    }

    /** The class folders (sorted) and every image file in class then name order, with its label. */
    public record Listing(List<String> classes, List<String> paths, int[] labels) implements Serializable {
    }

    public Listing list(Storage storage, String uri) {
        try {
            List<String> classes = storage.listDirectories(uri);
            if (classes.isEmpty()) {
                if (!storage.exists(uri)) {
                    throw new DataException(uri, "", "no such directory");
                }
                throw new DataException(uri, "", "no class folders: data.format images reads <dir>/<class>/<image>");
            }
            List<String> paths = new ArrayList<>();
            List<Integer> labels = new ArrayList<>();
            for (int c = 0; c < classes.size(); c++) {
                String dir = uri.replaceAll("/+$", "") + "/" + classes.get(c);
                for (FileStatus f : storage.files(dir)) {
                    paths.add(f.getPath().toString());
                    labels.add(c);
                }
            }
            if (paths.isEmpty()) {
                throw new DataException(uri, "", "no image files in its " + classes.size() + " class folders");
            }
            return new Listing(classes, paths, labels.stream().mapToInt(Integer::intValue).toArray());
        } catch (FileNotFoundException e) {
            throw new DataException(uri, "", "no such directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri, e);
        }
    }

    /** Every image of {@code uri}, read here (the driver). */
    public Examples read(Storage storage, String uri) {
        Listing listing = list(storage, uri);
        int d = channels * height * width;
        List<float[]> rows = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < listing.paths().size(); i++) {
            String path = listing.paths().get(i);
            byte[] bytes;
            try (InputStream in = storage.openRaw(path)) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path, e);
            }
            float[] row = decodeOrSkip(path, bytes);
            if (row == null) {
                skipped.add(path);
                continue;
            }
            rows.add(row);
            labels.add(listing.labels()[i]);
        }
        reportSkipped(uri, skipped.size(), skipped, listing.paths().size());
        float[] x = new float[Math.multiplyExact(rows.size(), d)];
        float[] y = new float[rows.size()];
        int[] origins = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, x, i * d, d);
            y[i] = labels.get(i);
            origins[i] = i;
        }
        return new Examples(uri, "image", d, x, y, origins).withImage(List.of(channels, height, width));
    }

    /**
     * Logs how many files {@code data.onBadRecord: skip} left out ({@code some} of their paths); fails if it left out
     * every one.
     */
    public static void reportSkipped(String uri, int skipped, List<String> some, int files) {
        if (skipped == 0) {
            return;
        }
        LOG.warn("{}: skipped {} of {} image files that do not decode (data.onBadRecord: skip){}{}", uri, skipped,
                files, some.isEmpty() ? "; their paths are in the executors' logs" : ": ",
                String.join(", ", some.subList(0, Math.min(5, some.size()))) + (some.size() > 5 ? ", …" : ""));
        if (skipped == files) {
            throw new DataException(uri, "", "none of its " + files + " image files decodes");
        }
    }

    /** The row of one image file, or null when it does not decode and bad files are skipped. */
    public float[] decodeOrSkip(String path, byte[] bytes) {
        try {
            return decode(path, bytes);
        } catch (DataException e) {
            if (skipBad) {
                LOG.warn("skipped {} (data.onBadRecord: skip)", e.getMessage());
                return null;
            }
            throw e;
        }
    }

    /** The row of one image file: [channels, height, width] values 0..255. */
    public float[] decode(String path, byte[] bytes) {
        BufferedImage image;
        try {
            image = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new DataException(path, "", "not a decodable image (" + e.getMessage() + ")", e);
        }
        if (image == null) {
            throw new DataException(path, "", "not a decodable image (no ImageIO reader for its " + bytes.length
                    + " bytes: PNG, JPEG, GIF and BMP are read)");
        }
        boolean grey = channels == 1 && image.getType() == BufferedImage.TYPE_BYTE_GRAY;
        BufferedImage fitted = fit(image, grey ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
        float[] row = new float[channels * height * width];
        int plane = height * width;
        for (int yy = 0; yy < height; yy++) {
            for (int xx = 0; xx < width; xx++) {
                int p = yy * width + xx;
                if (grey) {
                    row[p] = fitted.getRaster().getSample(xx, yy, 0);
                    continue;
                }
                int rgb = fitted.getRGB(xx, yy);
                int r = (rgb >> 16) & 0xFF;
                int g = (rgb >> 8) & 0xFF;
                int b = rgb & 0xFF;
                if (channels == 1) {
                    row[p] = (float) (0.299 * r + 0.587 * g + 0.114 * b);
                } else {
                    row[p] = r;
                    row[plane + p] = g;
                    row[2 * plane + p] = b;
                }
            }
        }
        return row;
    }

    /** {@code image} scaled to cover height × width (aspect kept) and centre-cropped to it, as {@code type}. */
    private BufferedImage fit(BufferedImage image, int type) {
        int iw = image.getWidth();
        int ih = image.getHeight();
        double scale = Math.max((double) width / iw, (double) height / ih);
        int sw = Math.max(width, (int) Math.round(iw * scale));
        int sh = Math.max(height, (int) Math.round(ih * scale));
        BufferedImage out = new BufferedImage(width, height, type);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, -(sw - width) / 2, -(sh - height) / 2, sw, sh, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}

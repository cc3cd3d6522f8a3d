package org.sparkdnn.rows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.data.ImageFolderReader;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.io.Storage;

/**
 * {@code data.format: images} read on the executors: the driver lists the class folders and files (paths only),
 * which fixes each file's id and label; the executors read and decode the files ({@link ImageFolderReader}). A file
 * that does not decode fails the read naming its path, or ({@code data.onBadRecord: skip}) is left out and counted.
 */
public final class ImageRowsReader implements RowsReader {
    private final JavaSparkContext sc;
    private final ImageFolderReader reader;
    private final int width;
    private final int minPartitions;

    /** @param width channels × height × width of every decoded image */
    public ImageRowsReader(JavaSparkContext sc, ImageFolderReader reader, int width, int minPartitions) {
        this.sc = sc;
        this.reader = reader;
        this.width = width;
        this.minPartitions = minPartitions;
    }

    @Override
    public DistributedRows read(String uri) {
        try {
            ImageFolderReader.Listing listing = reader.list(new Storage(sc.hadoopConfiguration()), uri);
            Map<String, Integer> ids = new HashMap<>();
            for (int i = 0; i < listing.paths().size(); i++) {
                ids.put(BinaryFileRows.key(listing.paths().get(i)), i);
            }
            int[] labels = listing.labels();
            ImageFolderReader decoder = reader;
            int d = width; // the lambda must not capture this reader (not serialisable)
            DistributedRows rows = BinaryFileRows.read(sc, uri.replaceAll("/+$", "") + "/*/*", ids, d,
                    minPartitions, (path, stream, id) -> {
                        float[] row = decoder.decodeOrSkip(path, stream.toArray());
                        return row == null ? new RowBlock(new int[0], new float[0], new float[0], d)
                                : new RowBlock(new int[] {id}, row, new float[] {labels[id]}, d);
                    });
            if (rows.count() < listing.paths().size()) {
                ImageFolderReader.reportSkipped(uri, (int) (listing.paths().size() - rows.count()), List.of(),
                        listing.paths().size());
            }
            return rows;
        } catch (Exception e) {
            throw DataErrors.unwrap(e);
        }
    }
}

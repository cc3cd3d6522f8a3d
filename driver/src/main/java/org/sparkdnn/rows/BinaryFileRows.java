package org.sparkdnn.rows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.input.PortableDataStream;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.RowBlock;
import scala.Tuple2;

/**
 * Whole binary files read on the executors ({@code sc.binaryFiles}, Hadoop's configuration travelling with each
 * stream) into row blocks whose keys the driver fixed from its listing alone — so ids follow the listing's order
 * whichever executor reads which file. A file's rows may be left out ({@code data.onBadRecord: skip}): the ids are
 * then closed up, so they still run 0..n−1.
 */
final class BinaryFileRows {
    /** Parses one whole file, its first row's id given; returns its rows (none: skipped). */
    interface Parser extends java.io.Serializable {
        RowBlock parse(String path, PortableDataStream stream, int firstId) throws Exception;
    }

    private BinaryFileRows() {
    }

    /** The path a listing and {@code binaryFiles} agree on (scheme and authority vary in how they are spelt). */
    static String key(String path) {
        return new Path(path).toUri().getPath();
    }

    /**
     * @param glob     what {@code binaryFiles} reads (a file, a directory, {@code dir/*}/*)
     * @param firstIds the id of the first row of each listed file, by {@link #key}; files not listed are ignored
     * @param width    values per row
     */
    static DistributedRows read(JavaSparkContext sc, String glob, Map<String, Integer> firstIds, int width,
                                int minPartitions, Parser parser) {
        Broadcast<Map<String, Integer>> ids = sc.broadcast(new HashMap<>(firstIds));
        JavaRDD<RowBlock> parsed = sc.binaryFiles(glob, minPartitions).mapPartitions(files -> {
            List<RowBlock> blocks = new ArrayList<>();
            while (files.hasNext()) {
                Tuple2<String, PortableDataStream> f = files.next();
                Integer first = ids.value().get(key(f._1()));
                if (first != null) {
                    RowBlock b = parser.parse(f._1(), f._2(), first);
                    if (b.rows() > 0) {
                        blocks.add(b);
                    }
                }
            }
            return List.of(merge(blocks, width)).iterator();
        }, true);
        parsed.persist(StorageLevel.MEMORY_AND_DISK());
        long rows;
        try {
            rows = parsed.map(RowBlock::rows).fold(0, Integer::sum); // read now: a bad file fails here, named
        } catch (RuntimeException e) {
            parsed.unpersist(false);
            throw e;
        }
        if (rows == 0) {
            parsed.unpersist(false);
            throw new DataException(glob, "", "no examples found");
        }
        int[] present = parsed.flatMap(b -> Arrays.stream(b.keys()).boxed().iterator()).collect().stream()
                .mapToInt(Integer::intValue).sorted().toArray();
        if (present[present.length - 1] == present.length - 1) {
            return new DistributedRows(parsed, rows, width);
        }
        // rows were skipped: id → its rank among the ids present
        Broadcast<int[]> ranks = sc.broadcast(present);
        JavaRDD<RowBlock> closed = parsed.map(b -> {
            int[] keys = new int[b.rows()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = Arrays.binarySearch(ranks.value(), b.keys()[i]);
            }
            return new RowBlock(keys, b.x(), b.y(), b.features());
        });
        closed.persist(StorageLevel.MEMORY_AND_DISK());
        closed.count();
        parsed.unpersist(false);
        return new DistributedRows(closed, rows, width);
    }

    private static RowBlock merge(List<RowBlock> blocks, int width) {
        int rows = blocks.stream().mapToInt(RowBlock::rows).sum();
        int[] keys = new int[rows];
        float[] x = new float[Math.multiplyExact(rows, width)];
        float[] y = new float[rows];
        int at = 0;
        for (RowBlock b : blocks) {
            System.arraycopy(b.keys(), 0, keys, at, b.rows());
            System.arraycopy(b.x(), 0, x, at * width, b.x().length);
            System.arraycopy(b.y(), 0, y, at, b.rows());
            at += b.rows();
        }
        return new RowBlock(keys, x, y, width);
    }
}

package org.sparkdnn.rows;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.api.java.JavaSparkContext;
import org.sparkdnn.data.CifarReader;
import org.sparkdnn.io.Storage;

/**
 * CIFAR-10/100 binary files read on the executors, one task per file: ids in file-name then record order, fixed by
 * the driver from the files' lengths (it reads no record), so they equal the driver reader's ({@link CifarReader}).
 */
public final class CifarRowsReader implements RowsReader {
    private final JavaSparkContext sc;
    private final CifarReader reader;
    private final int minPartitions;

    public CifarRowsReader(JavaSparkContext sc, CifarReader reader, int minPartitions) {
        this.sc = sc;
        this.reader = reader;
        this.minPartitions = minPartitions;
    }

    @Override
    public DistributedRows read(String uri) {
        try {
            Map<String, Integer> firstIds = new LinkedHashMap<>();
            int rows = 0;
            for (FileStatus f : reader.files(new Storage(sc.hadoopConfiguration()), uri)) {
                firstIds.put(BinaryFileRows.key(f.getPath().toString()), rows);
                rows = Math.addExact(rows, Math.toIntExact(f.getLen() / reader.recordBytes()));
            }
            CifarReader parser = reader;
            return BinaryFileRows.read(sc, uri, firstIds, CifarReader.SHAPE.get(0) * CifarReader.SHAPE.get(1)
                    * CifarReader.SHAPE.get(2), minPartitions, (path, stream, first) -> {
                        byte[] bytes = stream.toArray();
                        return parser.parse(path, new ByteArrayInputStream(bytes), bytes.length, first);
                    });
        } catch (Exception e) {
            throw DataErrors.unwrap(e);
        }
    }
}

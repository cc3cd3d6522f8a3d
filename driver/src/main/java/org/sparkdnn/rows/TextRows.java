package org.sparkdnn.rows;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.LineFormat;
import org.sparkdnn.data.RowBlock;

/**
 * Text files of one row per line ({@link LineFormat}: CSV, LibSVM) read on the executors. Row ids are 0..n−1 in file
 * order (files of a directory sorted by name, lines in order), the same order the driver's readers give. One pass
 * over the text (each partition parses its rows; the driver turns their counts into id offsets); a bad row falls back
 * to two passes (counts first) so that it fails naming its file and line exactly as the driver's reader does.
 */
final class TextRows {
    private TextRows() {
    }

    static DistributedRows read(JavaSparkContext sc, String uri, LineFormat reader, int minPartitions) {
        List<String> files = files(sc, uri);
        List<JavaRDD<String>> parts = new ArrayList<>();
        List<Integer> fileOfPartition = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            JavaRDD<String> lines = sc.textFile(files.get(f), minPartitions);
            parts.add(lines);
            for (int p = 0; p < lines.getNumPartitions(); p++) {
                fileOfPartition.add(f);
            }
        }
        @SuppressWarnings("unchecked")
        JavaRDD<String> text = parts.size() == 1 ? parts.get(0)
                : sc.union(parts.toArray(JavaRDD[]::new));
        int partitions = text.getNumPartitions();
        boolean[] firstOfFile = new boolean[partitions];
        for (int p = 0; p < partitions; p++) {
            firstOfFile[p] = p == 0 || !fileOfPartition.get(p).equals(fileOfPartition.get(p - 1));
        }
        String[] fileNames = files.toArray(String[]::new);
        Integer[] fileIndex = fileOfPartition.toArray(Integer[]::new);

        // One pass over the text: each partition parses its rows (ids local to it, widths from its first row); only
        // counts reach the driver, which then shifts the ids to global ones. A bad row, or partitions of different
        // widths, fall back to the exact two-pass read below, which names the file and line as the driver's reader.
        JavaRDD<RowBlock> local = text.mapPartitionsWithIndex((p, it) -> List.of(parse(it, reader,
                fileNames[fileIndex[p]], firstOfFile[p], 0, 0, -1)).iterator(), true);
        local.persist(StorageLevel.MEMORY_AND_DISK());
        List<int[]> shapes;
        try {
            shapes = local.map(b -> new int[] {b.rows(), b.rows() == 0 ? -1 : b.features()}).collect();
        } catch (Exception e) { // a bad row (a SparkException, thrown unchecked): read again, exactly
            local.unpersist(false);
            return exactRead(sc, uri, reader, text, firstOfFile, fileNames, fileIndex);
        }
        int width = -1;
        long total = 0;
        long[] offsets = new long[partitions];
        boolean sameWidths = true;
        for (int p = 0; p < partitions; p++) {
            offsets[p] = total;
            total += shapes.get(p)[0];
            if (shapes.get(p)[1] >= 0) {
                sameWidths &= width < 0 || width == shapes.get(p)[1];
                width = width < 0 ? shapes.get(p)[1] : width;
            }
        }
        if (!sameWidths || total == 0) {
            local.unpersist(false);
            return exactRead(sc, uri, reader, text, firstOfFile, fileNames, fileIndex);
        }
        return GlobalIds.assign(local, offsets, total, width);
    }

    /** Two passes: line and row counts per partition first, so that ids and line numbers are exact from the start. */
    private static DistributedRows exactRead(JavaSparkContext sc, String uri, LineFormat reader, JavaRDD<String> text,
                                             boolean[] firstOfFile, String[] fileNames, Integer[] fileIndex) {
        int partitions = text.getNumPartitions();
        List<long[]> counted = text.mapPartitionsWithIndex((p, it) -> {
            long lines = 0;
            long rows = 0;
            while (it.hasNext()) {
                String line = it.next();
                lines++;
                boolean header = firstOfFile[p] && lines == 1;
                if (!reader.skips(header, line)) {
                    rows++;
                }
            }
            return List.of(new long[] {p, lines, rows}).iterator();
        }, true).collect();
        long[] lineOffset = new long[partitions];
        long[] rowOffset = new long[partitions];
        long rows = 0;
        long lines = 0;
        for (int p = 0; p < partitions; p++) {
            if (firstOfFile[p]) {
                lines = 0;
            }
            lineOffset[p] = lines;
            rowOffset[p] = rows;
            lines += counted.get(p)[1];
            rows += counted.get(p)[2];
        }
        if (rows == 0) {
            throw new DataException(uri, "", "no examples found");
        }
        // the column count of the first row, which every row must match (as the driver's reader checks)
        int columns = firstRowColumns(text, reader, fileNames, fileIndex, firstOfFile);
        JavaRDD<RowBlock> parsed = text.mapPartitionsWithIndex((p, it) -> List.of(parse(it, reader,
                fileNames[fileIndex[p]], firstOfFile[p], lineOffset[p], rowOffset[p], columns)).iterator(), true);
        parsed.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            parsed.count(); // parse now: bad rows fail here, naming file and line
        } catch (RuntimeException e) {
            parsed.unpersist(false);
            throw e;
        }
        return new DistributedRows(parsed, rows, columns - 1);
    }

    private static int firstRowColumns(JavaRDD<String> text, LineFormat reader, String[] files, Integer[] fileIndex,
                                       boolean[] firstOfFile) {
        List<Integer> firsts = text.mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            while (it.hasNext()) {
                String line = it.next();
                n++;
                boolean header = firstOfFile[p] && n == 1;
                if (!reader.skips(header, line)) {
                    return List.of(reader.row(files[fileIndex[p]], n, line, -1).length).iterator();
                }
            }
            return List.<Integer>of().iterator();
        }, true).take(1);
        return firsts.get(0);
    }

    private static RowBlock parse(Iterator<String> it, LineFormat reader, String file, boolean firstOfFile,
                                  long lineOffset, long rowOffset, int columns) {
        List<float[]> rows = new ArrayList<>();
        long line = lineOffset;
        while (it.hasNext()) {
            String text = it.next();
            line++;
            if (reader.skips(firstOfFile && line == 1, text)) {
                continue;
            }
            float[] row = reader.row(file, line, text, columns);
            columns = row.length; // a partition read on its own (columns < 0) takes its first row's width
            rows.add(row);
        }
        int d = Math.max(0, columns - 1);
        int[] keys = new int[rows.size()];
        float[] x = new float[Math.multiplyExact(rows.size(), d)];
        float[] y = new float[rows.size()];
        for (int i = 0; i < keys.length; i++) {
            float[] row = rows.get(i);
            keys[i] = Math.toIntExact(rowOffset + i);
            System.arraycopy(row, 0, x, i * d, d);
            y[i] = row[d];
        }
        return new RowBlock(keys, x, y, d);
    }

    /** The files of {@code uri}: itself, or a directory's visible files sorted by name. */
    static List<String> files(JavaSparkContext sc, String uri) {
        try {
            Path path = new Path(uri);
            FileSystem fs = path.getFileSystem(sc.hadoopConfiguration());
            FileStatus status = fs.getFileStatus(path);
            if (!status.isDirectory()) {
                return List.of(status.getPath().toString());
            }
            List<String> files = new ArrayList<>();
            for (FileStatus s : fs.listStatus(path)) {
                String name = s.getPath().getName();
                if (s.isFile() && !name.startsWith("_") && !name.startsWith(".")) {
                    files.add(s.getPath().toString());
                }
            }
            files.sort(null);
            if (files.isEmpty()) {
                throw new DataException(uri, "", "a directory without data files");
            }
            return files;
        } catch (FileNotFoundException e) {
            throw new DataException(uri, "", "no such file or directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri, e);
        }
    }

}

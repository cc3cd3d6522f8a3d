package org.sparkdnn.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.LibSvmReader;
import org.sparkdnn.data.LineFormat;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;

/**
 * A training file read by the executors, never by the driver: the rows as cached {@link RowBlock}s (one per input
 * partition) whose keys are stable global row ids — 0..n−1 in file order (files of a directory sorted by name,
 * lines in order), the same order the driver's readers give — so a batch plan stays a pure function of
 * (seed, epoch). One pass over the text (each partition parses its rows; the driver turns their counts into id
 * offsets); a bad row falls back to two passes (counts first) so that it fails naming its file and line exactly as
 * the driver's reader does.
 * Statistics come from aggregations on the executors ({@link #stats()}).
 *
 * <p>Not yet wired into the engines (they still take the driver's rows): the data issue continues there.
 */
public final class DistributedRows implements AutoCloseable {
    private final JavaRDD<RowBlock> blocks;
    private final long count;
    private final int features;

    private DistributedRows(JavaRDD<RowBlock> blocks, long count, int features) {
        this.blocks = blocks;
        this.count = count;
        this.features = features;
    }

    /** Reads CSV (or any line format) {@code uri} (a file or a directory of files) on the executors. */
    public static DistributedRows readCsv(JavaSparkContext sc, String uri, LineFormat reader, int minPartitions) {
        try {
            return read(sc, uri, reader, minPartitions);
        } catch (Exception e) { // Spark's job failures are checked SparkExceptions, thrown unchecked from Scala
            throw dataError(e);
        }
    }

    /**
     * Reads LibSVM {@code uri} on the executors as dense rows of {@code numFeatures} columns; without it, a first pass
     * over the text finds the largest feature index (as the driver's reader does).
     */
    public static DistributedRows readLibSvm(JavaSparkContext sc, String uri, Integer numFeatures, int minPartitions) {
        try {
            int d = numFeatures != null ? numFeatures : files(sc, uri).stream()
                    .mapToInt(f -> sc.textFile(f, minPartitions).map(LibSvmReader::maxIndex).fold(0, Math::max))
                    .max().orElse(0);
            if (d == 0) {
                throw new DataException(uri, "", "no features found; set data.numFeatures");
            }
            return read(sc, uri, LibSvmReader.lines(d), minPartitions);
        } catch (Exception e) {
            throw dataError(e);
        }
    }

    private static DistributedRows read(JavaSparkContext sc, String uri, LineFormat reader, int minPartitions) {
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
        return withGlobalIds(local, offsets, total, width);
    }

    /**
     * Cached blocks of one block per partition, ids local to it (0..), shifted by the rows of the partitions before
     * ({@code offsets}) into global ids and cached in their place.
     */
    private static DistributedRows withGlobalIds(JavaRDD<RowBlock> local, long[] offsets, long total, int width) {
        JavaRDD<RowBlock> global = local.mapPartitionsWithIndex((p, it) -> {
            RowBlock b = it.next();
            int[] keys = new int[b.rows()];
            for (int i = 0; i < keys.length; i++) {
                keys[i] = Math.toIntExact(offsets[p] + i);
            }
            return List.of(new RowBlock(keys, b.x(), b.y(), b.features())).iterator();
        }, true);
        global.persist(StorageLevel.MEMORY_AND_DISK());
        global.count();
        local.unpersist(false);
        return new DistributedRows(global, total, width);
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

    /**
     * Reads Parquet {@code uri} (a file or a directory of part files) on the executors. Row ids: the files sorted by
     * path, rows in file order — Spark's {@code _metadata.row_index} (stable however Spark splits or orders the
     * files) plus the row counts of the files before. Features: column {@code featuresField} (an ML Vector or an
     * array of numbers), or, when the file has none, every numeric column but the label, in schema order.
     */
    public static DistributedRows readParquet(JavaSparkContext sc, String uri, String featuresField,
                                              String labelField) {
        try {
            return parquet(sc, uri, featuresField, labelField);
        } catch (Exception e) {
            throw dataError(e);
        }
    }

    private static DistributedRows parquet(JavaSparkContext sc, String uri, String featuresField, String labelField) {
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().sparkContext(sc.sc())
                .getOrCreate();
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> df;
        try {
            df = spark.read().parquet(uri);
        } catch (Exception e) {
            throw new DataException(uri, "", "not readable as Parquet (" + e.getMessage() + ")", e);
        }
        List<String> fields = Arrays.asList(df.schema().fieldNames());
        if (!fields.contains(labelField)) {
            throw new DataException(uri, "", "no label column '" + labelField + "' (data.labelField) in " + fields);
        }
        List<org.apache.spark.sql.Column> columns = new ArrayList<>();
        if (fields.contains(featuresField)) {
            columns.add(org.apache.spark.sql.functions.col(featuresField));
        } else {
            for (org.apache.spark.sql.types.StructField f : df.schema().fields()) {
                if (!f.name().equals(labelField) && f.dataType() instanceof org.apache.spark.sql.types.NumericType) {
                    columns.add(org.apache.spark.sql.functions.col(f.name()).cast("double"));
                }
            }
            if (columns.isEmpty()) {
                throw new DataException(uri, "", "no features column '" + featuresField + "' (data.featuresField) "
                        + "and no numeric columns besides the label in " + fields);
            }
        }
        boolean oneColumn = fields.contains(featuresField);
        int featureColumns = columns.size();
        columns.add(org.apache.spark.sql.functions.col(labelField).cast("double"));
        columns.add(org.apache.spark.sql.functions.col("_metadata.file_path"));
        columns.add(org.apache.spark.sql.functions.col("_metadata.row_index"));
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows = df.select(
                columns.toArray(org.apache.spark.sql.Column[]::new));
        // ids: files by path, row indices within each
        List<org.apache.spark.sql.Row> perFile = rows.groupBy("file_path").count().collectAsList();
        java.util.TreeMap<String, Long> counts = new java.util.TreeMap<>();
        perFile.forEach(r -> counts.put(r.getString(0), r.getLong(1)));
        java.util.HashMap<String, Long> offsets = new java.util.HashMap<>();
        long total = 0;
        for (var e : counts.entrySet()) {
            offsets.put(e.getKey(), total);
            total += e.getValue();
        }
        if (total == 0) {
            throw new DataException(uri, "", "no examples found");
        }
        long n = total;
        int labelAt = featureColumns;
        JavaRDD<RowBlock> blocks = rows.javaRDD().mapPartitions(it -> {
            List<float[]> xs = new ArrayList<>();
            List<Integer> keys = new ArrayList<>();
            List<Float> ys = new ArrayList<>();
            int width = -1;
            while (it.hasNext()) {
                org.apache.spark.sql.Row row = it.next();
                String file = row.getString(labelAt + 1);
                long index = row.getLong(labelAt + 2);
                String where = "row " + index;
                float[] x = oneColumn ? vector(row.get(0), file, where) : numbers(row, featureColumns, file, where);
                if (width < 0) {
                    width = x.length;
                } else if (x.length != width) {
                    throw new DataException(file, where, x.length + " features where other rows have " + width);
                }
                if (row.isNullAt(labelAt) || !Double.isFinite(row.getDouble(labelAt))) {
                    throw new DataException(file, where, "label is " + row.get(labelAt));
                }
                xs.add(x);
                ys.add((float) row.getDouble(labelAt));
                keys.add(Math.toIntExact(offsets.get(file) + index));
            }
            int d = Math.max(width, 0);
            float[] x = new float[xs.size() * d];
            float[] y = new float[xs.size()];
            for (int i = 0; i < xs.size(); i++) {
                System.arraycopy(xs.get(i), 0, x, i * d, d);
                y[i] = ys.get(i);
            }
            return List.of(new RowBlock(keys.stream().mapToInt(Integer::intValue).toArray(), x, y, d)).iterator();
        });
        blocks.persist(StorageLevel.MEMORY_AND_DISK());
        List<Integer> widths = blocks.filter(b -> b.rows() > 0).map(RowBlock::features).distinct().collect();
        if (widths.size() != 1) {
            blocks.unpersist(false);
            throw new DataException(uri, "", "rows of different widths " + widths + " in different parts");
        }
        if (n > Integer.MAX_VALUE) {
            throw new DataException(uri, "", n + " rows: more than this trainer indexes (2^31 - 1)");
        }
        return new DistributedRows(blocks, n, widths.get(0));
    }

    /**
     * A DataFrame's features and label (columns 0 and 1 of {@code selected}: an ML Vector or array of numbers, a
     * number) as cached row blocks on the executors, ids 0..n−1 in the DataFrame's partition and row order — stable
     * for the run because the blocks are cached once. One pass: a bad row (null, non-finite, another width) is named
     * by its global row index.
     */
    public static DistributedRows fromDataFrame(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> selected,
                                                String source) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(selected.sparkSession().sparkContext());
        org.apache.spark.util.CollectionAccumulator<String> problems = sc.sc().collectionAccumulator(
                "sparkdnn data problems");
        JavaRDD<RowBlock> local = selected.javaRDD().mapPartitionsWithIndex((p, it) -> {
            List<float[]> xs = new ArrayList<>();
            List<Float> ys = new ArrayList<>();
            int width = -1;
            String problem = null;
            for (int i = 0; it.hasNext() && problem == null; i++) {
                org.apache.spark.sql.Row row = it.next();
                try {
                    if (row.isNullAt(0) || row.isNullAt(1)) {
                        throw new DataException(source, "", "null " + (row.isNullAt(0) ? "features" : "label"));
                    }
                    float[] x = vector(row.get(0), source, "");
                    double y = ((Number) row.get(1)).doubleValue();
                    if (!Double.isFinite(y)) {
                        throw new DataException(source, "", "label is " + y);
                    }
                    if (width >= 0 && x.length != width) {
                        throw new DataException(source, "", x.length + " features where other rows have " + width);
                    }
                    width = x.length;
                    xs.add(x);
                    ys.add((float) y);
                } catch (DataException e) {
                    problem = p + ":" + i + ":" + e.getMessage().substring(source.length() + 2);
                    problems.add(problem);
                }
            }
            int d = Math.max(width, 0);
            float[] x = new float[xs.size() * d];
            float[] y = new float[xs.size()];
            int[] keys = new int[xs.size()];
            for (int i = 0; i < keys.length; i++) {
                System.arraycopy(xs.get(i), 0, x, i * d, d);
                y[i] = ys.get(i);
                keys[i] = i;
            }
            return List.of(new RowBlock(keys, x, y, d)).iterator();
        }, true);
        local.persist(StorageLevel.MEMORY_AND_DISK());
        List<int[]> shapes = local.map(b -> new int[] {b.rows(), b.rows() == 0 ? -1 : b.features()}).collect();
        int partitions = shapes.size();
        long[] offsets = new long[partitions];
        long total = 0;
        int width = -1;
        String widthProblem = null;
        for (int p = 0; p < partitions; p++) {
            offsets[p] = total;
            total += shapes.get(p)[0];
            int w = shapes.get(p)[1];
            if (w >= 0 && width >= 0 && w != width && widthProblem == null) {
                widthProblem = "row " + offsets[p] + ": " + w + " features where other rows have " + width;
            }
            width = width < 0 ? w : width;
        }
        List<String> found = new ArrayList<>(problems.value());
        if (!found.isEmpty() || widthProblem != null) {
            local.unpersist(false);
            if (!found.isEmpty()) {
                found.sort(java.util.Comparator.comparingInt(f -> Integer.parseInt(f.substring(0, f.indexOf(':')))));
                String[] parts = found.get(0).split(":", 3);
                long row = offsets[Integer.parseInt(parts[0])] + Integer.parseInt(parts[1]);
                throw new DataException(source, "row " + row, parts[2]);
            }
            throw new DataException(source, "", widthProblem);
        }
        if (total == 0) {
            local.unpersist(false);
            throw new DataException(source, "", "no rows");
        }
        if (total > Integer.MAX_VALUE) {
            local.unpersist(false);
            throw new DataException(source, "", total + " rows: more than this trainer indexes (2^31 - 1)");
        }
        return withGlobalIds(local, offsets, total, width);
    }

    private static float[] vector(Object value, String file, String where) {
        double[] v;
        if (value instanceof org.apache.spark.ml.linalg.Vector vector) {
            v = vector.toArray();
        } else if (value instanceof scala.collection.Seq<?> seq) {
            v = new double[seq.size()];
            for (int i = 0; i < v.length; i++) {
                Object e = seq.apply(i);
                v[i] = e == null ? Double.NaN : ((Number) e).doubleValue();
            }
        } else {
            throw new DataException(file, where, "features are " + (value == null ? "null"
                    : value.getClass().getSimpleName()) + "; expected an ML Vector or an array of numbers");
        }
        float[] x = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new DataException(file, where, "feature " + i + " is " + v[i]);
            }
            x[i] = (float) v[i];
        }
        return x;
    }

    private static float[] numbers(org.apache.spark.sql.Row row, int count, String file, String where) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            if (row.isNullAt(i) || !Double.isFinite(row.getDouble(i))) {
                throw new DataException(file, where, "feature " + i + " is " + row.get(i));
            }
            x[i] = (float) row.getDouble(i);
        }
        return x;
    }

    /** A DataException from an executor reaches the driver inside a SparkException's message: unwrap it. */
    static RuntimeException dataError(Exception e) {
        String marker = DataException.class.getName() + ": ";
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DataException d) {
                return d;
            }
            String message = String.valueOf(t.getMessage());
            int at = message.indexOf(marker);
            if (t instanceof SparkException && at >= 0) {
                return DataException.relayed(message.substring(at + marker.length()).lines().findFirst().orElse(""),
                        e);
            }
        }
        return e instanceof RuntimeException r ? r
                : new org.sparkdnn.ps.ClusterException("reading the training data failed: " + e.getMessage(), e);
    }

    /** The files of {@code uri}: itself, or a directory's visible files sorted by name. */
    private static List<String> files(JavaSparkContext sc, String uri) {
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
        } catch (java.io.FileNotFoundException e) {
            throw new DataException(uri, "", "no such file or directory", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + uri, e);
        }
    }

    /**
     * Benchmarks: milliseconds to materialise each of {@code epochs} epochs' per-worker data from these rows (what a
     * distributed engine waits for at an epoch's start) under {@code plan} — global: a shuffle per epoch; partitioned:
     * one shuffle home (counted in the setup time, element 0), then narrow re-keyings.
     */
    public long[] epochStartMillis(BatchPlan plan, int workers, int epochs) {
        long start = System.nanoTime();
        long[] millis = new long[epochs + 1];
        try (EpochData data = EpochData.onExecutors(blocks, plan, workers)) {
            millis[0] = (System.nanoTime() - start) / 1_000_000;
            for (int e = 0; e < epochs; e++) {
                long t = System.nanoTime();
                data.epoch(e).values().map(RowBlock::rows).reduce(Integer::sum);
                millis[e + 1] = (System.nanoTime() - t) / 1_000_000;
            }
        }
        return millis;
    }

    /** The rows, cached: one block per input partition, keys = global row ids. */
    /**
     * All rows on the driver, in id order ({@code data.read: driver} for files only Spark reads, e.g. Parquet): the
     * blocks stream in one partition at a time, each row placed at its id, so the driver holds the rows once.
     */
    public Examples examples(String source) {
        long values = count * (long) features;
        if (values > Integer.MAX_VALUE - 8) {
            throw new DataException(source, "", count + " rows x " + features + " features do not fit in one driver "
                    + "array: read them on the executors (data.read: executors)");
        }
        float[] x = new float[(int) values];
        float[] y = new float[(int) count];
        int[] origins = new int[(int) count];
        Iterator<RowBlock> it = blocks.toLocalIterator();
        while (it.hasNext()) {
            RowBlock b = it.next();
            for (int i = 0; i < b.rows(); i++) {
                int id = b.keys()[i];
                System.arraycopy(b.x(), i * features, x, id * features, features);
                y[id] = b.y()[i];
                origins[id] = id;
            }
        }
        return new Examples(source, "row", features, x, y, origins);
    }

    public JavaRDD<RowBlock> blocks() {
        return blocks;
    }

    public long count() {
        return count;
    }

    public int features() {
        return features;
    }

    /** Count, per-feature mean and standard deviation (population), label range: aggregated on the executors. */
    public Stats stats() {
        return stats(blocks, features);
    }

    /** {@link #stats()} of any blocks of {@code features}-wide rows. */
    public static Stats stats(JavaRDD<RowBlock> blocks, int features) {
        double[] zero = new double[2 * features + 3];
        zero[2 * features + 1] = Double.POSITIVE_INFINITY;
        zero[2 * features + 2] = Double.NEGATIVE_INFINITY;
        int d = features;
        double[] total = blocks.treeAggregate(zero, (acc, b) -> {
            double[] a = acc.clone();
            for (int i = 0; i < b.rows(); i++) {
                for (int j = 0; j < d; j++) {
                    double v = b.x()[i * d + j];
                    a[j] += v;
                    a[d + j] += v * v;
                }
                a[2 * d] += 1;
                a[2 * d + 1] = Math.min(a[2 * d + 1], b.y()[i]);
                a[2 * d + 2] = Math.max(a[2 * d + 2], b.y()[i]);
            }
            return a;
        }, (a, b) -> {
            double[] c = new double[a.length];
            for (int i = 0; i < 2 * d + 1; i++) {
                c[i] = a[i] + b[i];
            }
            c[2 * d + 1] = Math.min(a[2 * d + 1], b[2 * d + 1]);
            c[2 * d + 2] = Math.max(a[2 * d + 2], b[2 * d + 2]);
            return c;
        });
        long n = (long) total[2 * d];
        double[] mean = new double[d];
        double[] sd = new double[d];
        for (int j = 0; j < d; j++) {
            mean[j] = total[j] / n;
            sd[j] = Math.sqrt(Math.max(0, total[d + j] / n - mean[j] * mean[j]));
        }
        return new Stats(n, mean, sd, total[2 * d + 1], total[2 * d + 2]);
    }

    /** What the driver needs to know of the data, without its rows. */
    public record Stats(long count, double[] mean, double[] sd, double minLabel, double maxLabel) {
    }

    @Override
    public void close() {
        blocks.unpersist(false);
    }
}

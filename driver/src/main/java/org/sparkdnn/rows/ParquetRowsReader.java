package org.sparkdnn.rows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.RowBlock;

/**
 * Parquet (a file or a directory of part files) read on the executors. Row ids: the files sorted by path, rows in
 * file order — Spark's {@code _metadata.row_index} (stable however Spark splits or orders the files) plus the row
 * counts of the files before. Features: column {@code featuresField} (an ML Vector or an array of numbers), or, when
 * the file has none, every numeric column but the label, in schema order.
 */
public final class ParquetRowsReader implements RowsReader {
    private final JavaSparkContext sc;
    private final String featuresField;
    private final String labelField;

    public ParquetRowsReader(JavaSparkContext sc, String featuresField, String labelField) {
        this.sc = sc;
        this.featuresField = featuresField;
        this.labelField = labelField;
    }

    @Override
    public DistributedRows read(String uri) {
        try {
            return parquet(uri);
        } catch (Exception e) {
            throw DataErrors.unwrap(e);
        }
    }

    private DistributedRows parquet(String uri) {
        SparkSession spark = SparkSession.builder().sparkContext(sc.sc())
                .getOrCreate();
        Dataset<Row> df;
        try {
            df = spark.read().parquet(uri);
        } catch (Exception e) {
            throw new DataException(uri, "", "not readable as Parquet (" + e.getMessage() + ")", e);
        }
        List<String> fields = Arrays.asList(df.schema().fieldNames());
        if (!fields.contains(labelField)) {
            throw new DataException(uri, "", "no label column '" + labelField + "' (data.labelField) in " + fields);
        }
        List<Column> columns = new ArrayList<>();
        if (fields.contains(featuresField)) {
            columns.add(functions.col(featuresField));
        } else {
            for (StructField f : df.schema().fields()) {
                if (!f.name().equals(labelField) && f.dataType() instanceof NumericType) {
                    columns.add(functions.col(f.name()).cast("double"));
                }
            }
            if (columns.isEmpty()) {
                throw new DataException(uri, "", "no features column '" + featuresField + "' (data.featuresField) "
                        + "and no numeric columns besides the label in " + fields);
            }
        }
        boolean oneColumn = fields.contains(featuresField);
        int featureColumns = columns.size();
        columns.add(functions.col(labelField).cast("double"));
        columns.add(functions.col("_metadata.file_path"));
        columns.add(functions.col("_metadata.row_index"));
        Dataset<Row> rows = df.select(
                columns.toArray(Column[]::new));
        // ids: files by path, row indices within each
        List<Row> perFile = rows.groupBy("file_path").count().collectAsList();
        TreeMap<String, Long> counts = new TreeMap<>();
        perFile.forEach(r -> counts.put(r.getString(0), r.getLong(1)));
        HashMap<String, Long> offsets = new HashMap<>();
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
                Row row = it.next();
                String file = row.getString(labelAt + 1);
                long index = row.getLong(labelAt + 2);
                String where = "row " + index;
                float[] x = oneColumn ? Cells.vector(row.get(0), file, where) : Cells.numbers(row, featureColumns, file, where);
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

}

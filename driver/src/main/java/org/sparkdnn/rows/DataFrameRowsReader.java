package org.sparkdnn.rows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.RowBlock;

/**
 * A DataFrame's features and label (columns 0 and 1 of {@code selected}: an ML Vector or array of numbers, a
 * number) as cached row blocks on the executors, ids 0..n−1 in the DataFrame's partition and row order — stable
 * for the run because the blocks are cached once. One pass: a bad row (null, non-finite, another width) is named
 * by its global row index.
 */
public final class DataFrameRowsReader implements RowsReader {
    private final Dataset<Row> selected;

    /** @param selected two columns: the features (an ML Vector or an array of numbers) and the label (a number) */
    public DataFrameRowsReader(Dataset<Row> selected) {
        this.selected = selected;
    }

    @Override
    public DistributedRows read(String source) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(selected.sparkSession().sparkContext());
        CollectionAccumulator<String> problems = sc.sc().collectionAccumulator(
                "sparkdnn data problems");
        JavaRDD<RowBlock> local = selected.javaRDD().mapPartitionsWithIndex((p, it) -> {
            List<float[]> xs = new ArrayList<>();
            List<Float> ys = new ArrayList<>();
            int width = -1;
            String problem = null;
            for (int i = 0; it.hasNext() && problem == null; i++) {
                Row row = it.next();
                try {
                    if (row.isNullAt(0) || row.isNullAt(1)) {
                        throw new DataException(source, "", "null " + (row.isNullAt(0) ? "features" : "label"));
                    }
                    float[] x = Cells.vector(row.get(0), source, "");
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
                found.sort(Comparator.comparingInt(f -> Integer.parseInt(f.substring(0, f.indexOf(':')))));
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
        return GlobalIds.assign(local, offsets, total, width);
    }

}

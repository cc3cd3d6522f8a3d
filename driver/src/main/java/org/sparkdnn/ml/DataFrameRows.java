package org.sparkdnn.ml;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.sparkdnn.data.DataException;
import org.sparkdnn.data.Examples;

/** A DataFrame's feature and label columns as the trainer's {@link Examples}; bad rows named by their index. */
final class DataFrameRows {
    private DataFrameRows() {
    }

    /** The features column must exist and be an ML Vector or an array of numbers. */
    static void checkFeatures(StructType schema, String column) {
        DataType type = field(schema, column).dataType();
        boolean ok = type instanceof VectorUDT
                || (type instanceof ArrayType a && a.elementType() instanceof NumericType);
        if (!ok) {
            throw new IllegalArgumentException("features column '" + column + "' is " + type.simpleString()
                    + "; expected an ML Vector (e.g. from VectorAssembler) or an array of numbers");
        }
    }

    static void checkNumeric(StructType schema, String column) {
        DataType type = field(schema, column).dataType();
        if (!(type instanceof NumericType)) {
            throw new IllegalArgumentException("label column '" + column + "' is " + type.simpleString()
                    + "; expected a number (a class index 0..K-1 for a classifier)");
        }
    }

    private static StructField field(StructType schema, String column) {
        for (StructField f : schema.fields()) {
            if (f.name().equals(column)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no column '" + column + "' in " + List.of(schema.fieldNames()));
    }

    /** One feature row as floats, whichever of the accepted column types it is. */
    static double[] features(Row row, int index) {
        Object value = row.get(index);
        if (value instanceof Vector v) {
            return v.toArray();
        }
        if (value == null) {
            return null;
        }
        List<Object> list = row.getList(index);
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object e = list.get(i);
            out[i] = e == null ? Double.NaN : ((Number) e).doubleValue();
        }
        return out;
    }

    /**
     * Collects {@code features} and {@code label} to the driver (in the DataFrame's row order) as Examples; a null or
     * non-finite value or a row of another width fails naming the row.
     */
    static Examples read(Dataset<?> dataset, String features, String label) {
        Dataset<Row> selected = dataset.toDF().select(features, label);
        String source = "DataFrame columns " + features + ", " + label;
        long n = selected.count();
        if (n == 0) {
            throw new DataException(source, "", "no rows");
        }
        if (n > Integer.MAX_VALUE) {
            throw new DataException(source, "", n + " rows: more than this trainer holds in one JVM");
        }
        int count = (int) n;
        float[] x = null;
        float[] y = new float[count];
        int[] origins = new int[count];
        int width = -1;
        Iterator<Row> rows = selected.toLocalIterator();
        for (int r = 0; r < count && rows.hasNext(); r++) {
            Row row = rows.next();
            double[] f = features(row, 0);
            if (f == null || row.isNullAt(1)) {
                throw new DataException(source, "row " + r, "null " + (f == null ? features : label));
            }
            if (width < 0) {
                width = f.length;
                x = new float[Math.multiplyExact(count, width)];
            } else if (f.length != width) {
                throw new DataException(source, "row " + r, f.length + " features where row 0 has " + width);
            }
            for (int j = 0; j < width; j++) {
                if (!Double.isFinite(f[j])) {
                    throw new DataException(source, "row " + r, "feature " + j + " is " + f[j]);
                }
                x[r * width + j] = (float) f[j];
            }
            double yv = ((Number) row.get(1)).doubleValue();
            if (!Double.isFinite(yv)) {
                throw new DataException(source, "row " + r, "label is " + yv);
            }
            y[r] = (float) yv;
            origins[r] = r;
        }
        return new Examples(source, "row", width, x, y, origins);
    }
}

package org.sparkdnn.rows;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.sparkdnn.data.DataException;
import scala.collection.Seq;

/** A DataFrame row's features as floats: an ML Vector, an array of numbers, or numeric columns; checked finite. */
final class Cells {
    private Cells() {
    }

    static float[] vector(Object value, String file, String where) {
        double[] v;
        if (value instanceof Vector vector) {
            v = vector.toArray();
        } else if (value instanceof Seq<?> seq) {
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

    static float[] numbers(Row row, int count, String file, String where) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            if (row.isNullAt(i) || !Double.isFinite(row.getDouble(i))) {
                throw new DataException(file, where, "feature " + i + " is " + row.get(i));
            }
            x[i] = (float) row.getDouble(i);
        }
        return x;
    }
}

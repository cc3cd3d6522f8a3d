package org.sparkdnn.bench;

import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import scala.reflect.ClassTag$;

/**
 * Writes a synthetic classification set as Parquet with Spark (every partition generates its own rows): {@code
 * features} (array&lt;float&gt;) and {@code label} (int). Row {@code i}'s label and noise come from a generator
 * seeded by (seed, i), so the file's content does not depend on the partitioning; its features are the label's
 * centroid (entries N(0, separation²), fixed by the seed) plus N(0, 1) noise. Random floats do not compress: the
 * files take about rows × features × 4 bytes.
 *
 * <p>Usage: {@code ParquetGenerator OUT ROWS FEATURES CLASSES SEED PARTITIONS SEPARATION [MASTER]}
 */
public final class ParquetGenerator {
    private ParquetGenerator() {
    }

    public static void main(String[] args) {
        if (args.length < 7) {
            System.err.println("usage: ParquetGenerator OUT ROWS FEATURES CLASSES SEED PARTITIONS SEPARATION [MASTER]");
            System.exit(2);
        }
        String out = args[0];
        long rows = Long.parseLong(args[1]);
        int features = Integer.parseInt(args[2]);
        int classes = Integer.parseInt(args[3]);
        long seed = Long.parseLong(args[4]);
        int partitions = Integer.parseInt(args[5]);
        double separation = Double.parseDouble(args[6]);
        String master = args.length > 7 ? args[7] : "local[2]";
        SparkSession spark = SparkSession.builder().master(master).appName("sparkdnn parquet generator")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            long start = System.nanoTime();
            float[][] centroids = new float[classes][features];
            SplittableRandom random = new SplittableRandom(seed);
            for (float[] c : centroids) {
                for (int j = 0; j < features; j++) {
                    c[j] = (float) (separation * random.nextGaussian());
                }
            }
            Broadcast<float[][]> centres = spark.sparkContext().broadcast(centroids,
                    ClassTag$.MODULE$.apply(float[][].class));
            JavaRDD<Row> data = spark.range(0, rows, 1, partitions).javaRDD().map(id -> {
                SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + id);
                int label = r.nextInt(classes);
                float[] c = centres.value()[label];
                float[] x = new float[c.length];
                for (int j = 0; j < x.length; j++) {
                    x[j] = c[j] + (float) r.nextGaussian();
                }
                return RowFactory.create(x, label);
            });
            StructType schema = new StructType()
                    .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                    .add("label", DataTypes.IntegerType, false);
            spark.createDataFrame(data, schema).write().mode("errorifexists").parquet(out);
            System.out.printf("wrote %,d rows x %d features (%d classes, separation %s) to %s in %.1f s%n", rows,
                    features, classes, separation, out, (System.nanoTime() - start) / 1e9);
        } finally {
            spark.stop();
        }
    }
}

package org.sparkdnn.ml;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.sparkdnn.config.Loss;

/**
 * spark-submitted by HostileModelClusterIT: loads a saved Spark ML model whose {@code data/model.zip} was altered
 * (refused on the driver), then transforms with a model made from the altered bytes without the driver's check, so
 * that each executor reads the zip itself. Prints {@code REFUSED-ON-DRIVER}/{@code REFUSED-ON-EXECUTORS} lines with
 * the messages; exits 0 only when both refused by name.
 */
public final class HostileTransformApp {
    private HostileTransformApp() {
    }

    public static void main(String[] args) throws Exception {
        String refusal = "entry preprocessor.bin would be Java-deserialized";
        SparkSession spark = SparkSession.builder().appName("hostile-transform").getOrCreate();
        boolean driver = false;
        boolean executors = false;
        try {
            try {
                DnnModel.load(args[0]);
            } catch (RuntimeException e) {
                driver = causes(e).contains(refusal);
                System.out.println("REFUSED-ON-DRIVER " + driver + ": " + causes(e).lines().findFirst().orElse(""));
            }
            byte[] hostile = Files.readAllBytes(Path.of(args[1]));
            DnnModel unchecked = new DnnModel("hostile", hostile, Loss.SOFTMAX_CROSS_ENTROPY, 64, 10, null, null, "{}");
            StructType schema = new StructType().add("features", new VectorUDT(), false);
            Dataset<Row> rows = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(new double[64])),
                    RowFactory.create(Vectors.dense(new double[64]))), schema).repartition(2);
            try {
                unchecked.transform(rows).collectAsList();
            } catch (Exception e) { // SparkException, checked, when a task failed for good
                String all = causes(e);
                executors = all.contains(refusal) && all.contains("executor");
                System.out.println("REFUSED-ON-EXECUTORS " + executors + ": " + all.replace('\n', ' '));
            }
        } finally {
            spark.stop();
        }
        System.exit(driver && executors ? 0 : 1);
    }

    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append('\n');
        }
        return all.toString();
    }
}

package org.sparkdnn.ml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark ML API on a plain SparkSession, as a user would write it: a Pipeline (VectorAssembler → DnnClassifier) on
 * a DataFrame of the digits, fitted with the sync engine, saved, loaded and applied on the executors.
 */
class DnnPipelineTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static SparkSession spark;
    private static Dataset<Row> digits;
    private static String[] pixels;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        spark = SparkSession.builder().master("local[2]").appName("DnnPipelineTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                DnnPipelineTest.class.getResourceAsStream("/datasets/digits.csv.gz")), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] f = line.split(",");
                Object[] values = new Object[f.length];
                for (int i = 0; i < f.length; i++) {
                    values[i] = Double.parseDouble(f[i]);
                }
                rows.add(RowFactory.create(values));
            }
        }
        int width = rows.get(0).size() - 1;
        pixels = new String[width];
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < width; i++) {
            pixels[i] = "p" + i;
            fields.add(DataTypes.createStructField(pixels[i], DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField("digit", DataTypes.DoubleType, false));
        digits = spark.createDataFrame(rows, new StructType(fields.toArray(StructField[]::new))).repartition(3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void pipelineFitsSavesLoadsAndPredictsOnTheExecutors() throws Exception {
        Dataset<Row>[] split = digits.randomSplit(new double[] {0.8, 0.2}, 7);
        DnnEstimator classifier = new DnnClassifier().setConfigUri(ROOT.resolve("conf/digits.yaml").toString())
                .setEngine("sync").setWorkers(2).setEpochs(20).setLabelCol("digit")
                .setOutputDir(tmp.resolve("run").toString())
                .setSets("data.testFraction=0", "training.gradientNormsEvery=0");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(pixels).setOutputCol("features"), classifier});
        PipelineModel fitted = pipeline.fit(split[0]);
        DnnModel model = (DnnModel) fitted.stages()[1];
        assertTrue(model.isClassifier());
        assertEquals(10, model.numClasses());
        assertEquals(64, model.numFeatures());
        assertEquals("sync", new ObjectMapper().readTree(model.summary()).get("engine").asText());

        String saved = tmp.resolve("pipeline").toString();
        fitted.write().overwrite().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);

        Dataset<Row> predicted = loaded.transform(split[1]).cache();
        assertEquals(split[1].count(), predicted.count(), "one prediction per row");
        double accuracy = new MulticlassClassificationEvaluator().setLabelCol("digit")
                .setPredictionCol("prediction").setMetricName("accuracy").evaluate(predicted);
        System.out.printf("DnnClassifier (sync, 2 workers) in a Pipeline, loaded from disk: test accuracy %.4f%n",
                accuracy);
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy);

        for (Row r : predicted.select("probability", "rawPrediction", "prediction").collectAsList()) {
            double[] p = ((Vector) r.get(0)).toArray();
            double sum = 0;
            for (double v : p) {
                sum += v;
            }
            assertEquals(1.0, sum, 1e-9);
            assertEquals(((Vector) r.get(1)).argmax(), (int) r.getDouble(2), "prediction = argmax of the logits");
        }
        List<Row> before = fitted.transform(split[1]).select("prediction").collectAsList();
        assertEquals(before, predicted.select("prediction").collectAsList(), "the loaded model predicts the same");
    }

    @Test
    void regressorLearnsAFunctionOfTheInputs() {
        // y = sum of the first 4 pixels / 16: a smooth target a small net fits well
        Dataset<Row> data = new VectorAssembler().setInputCols(pixels).setOutputCol("features").transform(digits)
                .selectExpr("features", "(p0 + p1 + p2 + p3 + p10 + p20) / 16.0 as y");
        DnnModel model = new DnnRegressor().setLabelCol("y").setEngine("local").setEpochs(30)
                .setOutputDir(tmp.resolve("reg").toString())
                .setConfig("model: {layers: [{type: dense, units: 64}], activation: relu}\n"
                        + "data: {scaling: standardize, validationFraction: 0.1}\noptimizer: {type: adam, "
                        + "learningRate: 0.003}\ntraining: {batchSize: 32, seed: 1}").fit(data);
        assertTrue(!model.isClassifier());
        double rmse = new RegressionEvaluator().setLabelCol("y").setMetricName("rmse").evaluate(model.transform(data));
        double spread = Math.sqrt(data.selectExpr("variance(y)").first().getDouble(0));
        System.out.printf("DnnRegressor: rmse %.4f vs the target's standard deviation %.4f%n", rmse, spread);
        assertTrue(rmse < 0.2 * spread, "rmse " + rmse + ", sd " + spread);
    }

    /** CrossValidator copies the estimator per param map and fits each fold: the grid's better learning rate wins. */
    @Test
    void crossValidatorPicksTheBetterLearningRate() {
        Dataset<Row> assembled = new VectorAssembler().setInputCols(pixels).setOutputCol("features").transform(digits);
        DnnClassifier classifier = (DnnClassifier) new DnnClassifier().setLabelCol("digit").setEngine("local")
                .setEpochs(3).setOutputDir(tmp.resolve("cv").toString())
                .setConfig("model: {layers: [{type: dense, units: 32}], activation: relu}\n"
                        + "data: {scaling: standardize}\noptimizer: {type: sgd}\ntraining: {batchSize: 32}");
        org.apache.spark.ml.param.ParamMap[] grid = new org.apache.spark.ml.tuning.ParamGridBuilder()
                .addGrid(classifier.learningRate(), new double[] {1e-6, 0.05}).build();
        org.apache.spark.ml.tuning.CrossValidatorModel cv = new org.apache.spark.ml.tuning.CrossValidator()
                .setEstimator(classifier).setEstimatorParamMaps(grid).setNumFolds(2).setSeed(3)
                .setEvaluator(new MulticlassClassificationEvaluator().setLabelCol("digit").setMetricName("accuracy"))
                .fit(assembled);
        double[] metrics = cv.avgMetrics();
        System.out.printf("CrossValidator, 2 folds: accuracy %.4f at lr 1e-6, %.4f at lr 0.05%n", metrics[0],
                metrics[1]);
        assertTrue(metrics[1] > metrics[0] + 0.3, java.util.Arrays.toString(metrics));
        assertEquals(0.05, (Double) ((DnnModel) cv.bestModel()).parent().extractParamMap()
                .apply(classifier.learningRate()), 1e-12);
    }

    /** The fitted run's directory under {@code outputDir} (each fit makes one). */
    private static Path runDir(Path outputDir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> runs = java.nio.file.Files.list(outputDir)) {
            List<Path> all = runs.toList();
            assertEquals(1, all.size(), "one run in " + outputDir);
            return all.get(0);
        }
    }

    @Test
    void syncFitKeepsTheRowsOnTheExecutorsAndEqualsTheLocalFitOnCollectedRows() throws Exception {
        // ids 0..n-1 follow the DataFrame's partitions and rows, whether cached on executors or collected
        Dataset<Row> assembled = new VectorAssembler().setInputCols(pixels).setOutputCol("features")
                .transform(digits).select("features", "digit");
        String[] sets = {"model.dataType=double", "training.gradientNormsEvery=0", "training.patience=0",
            "checkpoint.everySteps=40"};
        new DnnClassifier().setConfigUri(ROOT.resolve("conf/digits.yaml").toString()).setEngine("sync").setWorkers(2)
                .setEpochs(2).setLabelCol("digit").setOutputDir(tmp.resolve("sync").toString()).setSets(sets)
                .fit(assembled);
        new DnnClassifier().setConfigUri(ROOT.resolve("conf/digits.yaml").toString()).setEngine("local")
                .setEpochs(2).setLabelCol("digit").setOutputDir(tmp.resolve("local").toString()).setSets(sets)
                .fit(assembled);
        Path sync = runDir(tmp.resolve("sync"));
        Path local = runDir(tmp.resolve("local"));
        assertTrue(java.nio.file.Files.readString(sync.resolve("checkpoints/ckpt-0000000040/manifest.json"))
                .contains("\"trainSha256\" : \"executors:"), "sync fitted on rows cached on the executors");
        assertTrue(!java.nio.file.Files.readString(local.resolve("checkpoints/ckpt-0000000040/manifest.json"))
                .contains("executors:"), "local fitted on rows collected to the driver");
        assertEquals(0, org.sparkdnn.cli.Main.run("compare", sync.resolve("model.zip").toString(),
                local.resolve("model.zip").toString(), "--tolerance", "1e-10"),
                "the same splits, scaling and plan: local within 1e-10 of sync");
    }

    @Test
    void aBadRowIsNamedByItsIndexInTheDataFrame() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(RowFactory.create(org.apache.spark.ml.linalg.Vectors.dense(i, 1.0), (double) (i % 2)));
        }
        rows.set(27, RowFactory.create(org.apache.spark.ml.linalg.Vectors.dense(27, Double.NaN), 1.0));
        StructType schema = new StructType().add("features", DnnEstimator.vectorType()).add("label",
                DataTypes.DoubleType);
        Dataset<Row> df = spark.createDataFrame(rows, schema); // two partitions: row 27 is the second's 8th
        org.sparkdnn.data.DataException e = assertThrows(org.sparkdnn.data.DataException.class,
                () -> new DnnClassifier().setEngine("sync").setWorkers(2).setEpochs(1)
                        .setOutputDir(tmp.resolve("bad-row").toString()).setSets("data.testFraction=0")
                        .fit(df));
        assertTrue(e.getMessage().contains("row 27: feature 1 is NaN"), e.getMessage());
    }

    @Test
    void badColumnsAndLossesAreRefusedBeforeTraining() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DnnClassifier().fit(digits));
        assertTrue(e.getMessage().contains("no column 'features'"), e.getMessage());
        Dataset<Row> assembled = new VectorAssembler().setInputCols(pixels).setOutputCol("features").transform(digits);
        org.sparkdnn.config.ConfigException loss = assertThrows(org.sparkdnn.config.ConfigException.class,
                () -> new DnnClassifier().setLabelCol("digit").setSets("model.loss=l2")
                        .setOutputDir(tmp.resolve("bad").toString()).fit(assembled));
        assertEquals("model.loss", loss.path());
    }
}

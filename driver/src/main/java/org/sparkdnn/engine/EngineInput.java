package org.sparkdnn.engine;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.nd4j.linalg.dataset.DataSet;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Splits;
import org.sparkdnn.model.Dl4jMapping;

/**
 * The training rows as an engine sees them, wherever they were read: gathered on the driver ({@link #onDriver}) or
 * cached on the executors ({@code data.read: executors}, {@link #onExecutors}). Every engine is built from one.
 */
public final class EngineInput {
    private final int classes;
    private final int features;
    private final int trainCount;
    private final Function<int[], DataSet> rows;
    private final Function<JavaSparkContext, EpochData> epochData;
    private final Optional<ExampleMatrix> driverTrain;

    private EngineInput(int classes, int features, int trainCount, Function<int[], DataSet> rows,
                        Function<JavaSparkContext, EpochData> epochData, Optional<ExampleMatrix> driverTrain) {
        this.classes = classes;
        this.features = features;
        this.trainCount = trainCount;
        this.rows = rows;
        this.epochData = epochData;
        this.driverTrain = driverTrain;
    }

    /** The rows read by the driver: {@code splits}, the training rows as {@code train}. */
    public static EngineInput onDriver(RunConfig config, Splits splits, ExampleMatrix train) {
        return new EngineInput(splits.classes(), splits.train().features(), splits.train().count(), train::batch,
                sc -> EpochData.of(config.cluster().dataPlacement(), sc, splits.train(),
                        BatchPlan.of(config, splits.train().count()), config.cluster().workers()),
                Optional.of(train));
    }

    /** The rows cached on the executors; the driver fetches the few it needs by training index. */
    public static EngineInput onExecutors(RunConfig config, ExecutorData data) {
        Function<int[], DataSet> rows = ids -> {
            int[] sorted = ids.clone();
            Arrays.sort(sorted);
            return data.trainRows(sorted, Dl4jMapping.dataType(config.model().dataType()))
                    .batch(IntStream.range(0, sorted.length).toArray());
        };
        return new EngineInput(data.classes(), data.shape().inputs(), data.trainCount(), rows,
                sc -> EpochData.onExecutors(data.train(), BatchPlan.of(config, data.trainCount()),
                        config.cluster().workers()), Optional.empty());
    }

    /** Output classes (0 for regression). */
    public int classes() {
        return classes;
    }

    /** Inputs per example. */
    public int features() {
        return features;
    }

    /** Training rows. */
    public int trainCount() {
        return trainCount;
    }

    /** Training rows {@code ids} (training indices) as one DataSet: in the given order on the driver, by id on executors. */
    DataSet rows(int[] ids) {
        return rows.apply(ids);
    }

    /** Training row 0: what the driver's update builds its gradient views from. */
    DataSet firstRow() {
        return rows(new int[] {0});
    }

    /** The rows per epoch as the distributed engines' tasks get them. */
    EpochData epochData(JavaSparkContext sc) {
        return epochData.apply(sc);
    }

    /** The training rows in the driver's memory; empty when they were read on the executors. */
    Optional<ExampleMatrix> driverTrain() {
        return driverTrain;
    }
}

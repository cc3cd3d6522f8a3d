package org.sparkdnn.task;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.NumericType;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.ExampleMatrix;
import org.sparkdnn.data.Examples;
import org.sparkdnn.data.RowBlock;

/**
 * The training rows of a barrier stage that lasts the whole run ({@code cluster.dataPlacement: broadcast}): every
 * executor holds the broadcast rows, and each epoch's shards follow from the batch plan alone, so the tasks need no
 * new stage, no new data and no new connections per epoch. Each executor JVM turns the broadcast rows into one ND4J
 * matrix, shared by its tasks ({@link #matrix}).
 *
 * @param rows  every training row, keyed by its index (row i = training row i)
 * @param plan  the run's batch plan
 */
public record RunRows(Broadcast<RowBlock> rows, BatchPlan plan) implements Serializable {
    private static final Object LOCK = new Object();
    private static Shared shared; // one per JVM: the last run's matrix (a new run's replaces it)

    private record Shared(long broadcast, Loss loss, int classes, NumericType type, ExampleMatrix matrix) {
    }

    /** Worker {@code worker}'s shards of epoch {@code epoch}. */
    public WorkerShards shards(int epoch, int worker, WorkerSpec spec) {
        return WorkerShards.ofPlan(matrix(spec), plan, epoch, worker, spec.workers());
    }

    /** All training rows as this JVM's one matrix, built by the first task that asks. */
    ExampleMatrix matrix(WorkerSpec spec) {
        synchronized (LOCK) {
            Shared s = shared;
            if (s == null || s.broadcast() != rows.id() || s.loss() != spec.loss() || s.classes() != spec.classes()
                    || s.type() != spec.dataType()) {
                shared = null; // the old matrix may go before the new one is built
                RowBlock all = rows.value();
                Examples examples = new Examples("broadcast training rows", "row", all.features(), all.x(), all.y(),
                        all.keys());
                s = new Shared(rows.id(), spec.loss(), spec.classes(), spec.dataType(), new ExampleMatrix(examples,
                        spec.loss(), spec.classes(), org.sparkdnn.model.Dl4jMapping.dataType(spec.dataType())));
                shared = s;
            }
            return s.matrix();
        }
    }
}

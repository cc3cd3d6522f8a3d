package org.sparkdnn.task;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.HeapRows;
import org.sparkdnn.data.RowBlock;
import org.sparkdnn.model.Dl4jMapping;

/**
 * The training rows of a barrier stage that lasts the whole run ({@code cluster.dataPlacement: broadcast}): every
 * executor holds the broadcast rows, and each epoch's shards follow from the batch plan alone, so the tasks need no
 * new stage, no new data and no new connections per epoch. Batches are gathered from the executor's broadcast copy
 * as it is ({@link HeapRows}): a task copies nothing up front.
 *
 * @param rows  every training row, keyed by its index (row i = training row i)
 * @param plan  the run's batch plan
 */
public record RunRows(Broadcast<RowBlock> rows, BatchPlan plan) implements Serializable {
    /** The rows as batches for {@code spec}'s network. */
    HeapRows source(WorkerSpec spec) {
        return new HeapRows(rows.value(), spec.model().loss(), spec.model().classes(),
                Dl4jMapping.dataType(spec.model().dataType()));
    }
}

package org.sparkdnn.data;

import org.nd4j.linalg.dataset.DataSet;

/** Training rows that batches are gathered from, by row number. */
public interface RowSource {
    /** The rows {@code rows}, in order, as a new DataSet. */
    DataSet batch(int[] rows);

    /** The number of rows. */
    int count();
}

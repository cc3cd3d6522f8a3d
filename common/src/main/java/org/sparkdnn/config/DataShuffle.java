package org.sparkdnn.config;

/**
 * How each epoch's order is drawn: {@code global} (default: one permutation of all training rows; rows move to
 * whichever worker their position names) or {@code partitioned} (each of the k workers keeps a fixed home range of
 * rows and permutes only those; every global batch takes batchSize/k rows from each worker's home, so after the
 * first epoch no row crosses the network). Both are exact: every engine, {@code local} included, replays the plan.
 */
public enum DataShuffle implements Keyed {
    GLOBAL, PARTITIONED
}

/**
 * Data in: readers for CSV, IDX (MNIST) and LibSVM through Hadoop's FileSystem, held-out splits, feature scaling,
 * and the global batch sequence, a pure function of (seed, epoch) that every engine replays identically.
 */
package org.sparkdnn.data;

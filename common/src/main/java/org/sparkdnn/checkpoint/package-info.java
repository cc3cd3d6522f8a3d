/**
 * Checkpoints through the Hadoop FileSystem API (local, {@code hdfs://}, any URI): each checkpoint is a directory
 * with the DL4J model zip (updater state included) and a manifest (step, data cursor, seed, resolved config,
 * versions, SHA-256 of every file), written under a temporary name and renamed into place, never overwritten;
 * loading verifies the checksums and falls back to the newest valid checkpoint.
 */
package org.sparkdnn.checkpoint;

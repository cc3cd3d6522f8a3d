/**
 * What runs inside a Spark task: a worker's shards of an epoch's global batches and the barrier task that serves
 * them to the parameter server, one gradient per step.
 */
package org.sparkdnn.task;

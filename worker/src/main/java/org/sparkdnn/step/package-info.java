/**
 * The worker's part of a training step: forward and backward pass on one shard with DL4J, producing the raw SUM
 * gradient (never divided by the shard size, never regularised) that the parameter server adds up in worker order.
 */
package org.sparkdnn.step;

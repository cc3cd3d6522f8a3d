/**
 * What a run reports: evaluation (loss, accuracy or MSE), per-layer gradient norms, the parameter fingerprint
 * ({@code paramsSha256}) and the metrics.jsonl stream.
 */
package org.sparkdnn.metrics;

/**
 * One training run: data in, the training loop over the global batch sequence with an engine, evaluation, early
 * stopping, the divergence guard, and the run's outputs (model.zip, metrics.jsonl, summary.json, config.yaml).
 */
package org.sparkdnn.run;

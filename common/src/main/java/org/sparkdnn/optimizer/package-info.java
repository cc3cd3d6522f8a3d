/**
 * Maps {@link org.sparkdnn.config.OptimizerConfig} onto DL4J's updaters and learning-rate schedules, adding the two
 * DL4J lacks: classic (heavy-ball) momentum and cosine decay.
 */
package org.sparkdnn.optimizer;

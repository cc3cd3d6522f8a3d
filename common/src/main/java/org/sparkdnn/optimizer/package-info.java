/**
 * Maps {@link org.sparkdnn.config.OptimizerConfig} onto DL4J's updaters and learning-rate schedules, adding the two
 * DL4J lacks: classic (heavy-ball) momentum and cosine decay, and works around DL4J's AdaGrad losing its schedule
 * when cloned ({@link org.sparkdnn.optimizer.ScheduledAdaGrad}).
 */
package org.sparkdnn.optimizer;

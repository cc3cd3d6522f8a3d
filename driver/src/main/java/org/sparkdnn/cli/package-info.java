/** The command line ({@code scripts/trainer}, {@code spark-submit … trainer.jar}): train, evaluate, compare. */
package org.sparkdnn.cli;

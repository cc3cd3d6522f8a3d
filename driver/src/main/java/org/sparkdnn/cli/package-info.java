/**
 * The command line ({@code scripts/trainer}, {@code spark-submit … trainer.jar}): train, resume, evaluate, predict,
 * compare, report, sweep, nightly, backend — picocli commands, each with {@code --help}, and the exit statuses.
 */
package org.sparkdnn.cli;

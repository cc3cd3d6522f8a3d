/**
 * What a person sees in the terminal while a run trains: which logs reach the console (warnings and errors; all of
 * them with {@code --verbose}) and which go to the run's {@code train.log}, the progress display (a live bar on a
 * terminal, plain periodic lines elsewhere) and the closing summary table.
 */
package org.sparkdnn.console;

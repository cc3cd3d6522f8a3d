/** Benchmarks that compare engines side by side in one process (run by {@code scripts/bench-engines}). */
package org.sparkdnn.bench;

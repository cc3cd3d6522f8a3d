/**
 * Benchmarks run by {@code bench/*}, each printing its numbers side by side in one process: engines
 * ({@code bench/engines}), the exchanges, frames, data readers, checkpoints, sweeps with and without ASHA
 * ({@code bench/sweep}) and a sweep's winner against its base on several seeds ({@code bench/winner}).
 */
package org.sparkdnn.bench;

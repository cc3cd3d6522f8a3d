/**
 * How the {@code sync} engine's step turns k shard gradients into new parameters ({@code cluster.exchange}): one
 * {@link org.sparkdnn.engine.exchange.GradientExchange} per mode, each owning its step, its barrier task, its control
 * messages, its timings and its stats. {@code driver} ({@code DriverExchange}): the parameter server gathers the
 * gradients and applies the update once. {@code peer} ({@code PeerExchange}): the workers sum among themselves and
 * the driver's master catches up when it is needed. The engine ({@code SyncEngine}) keeps the Spark stage's
 * lifecycle and knows the exchanges only through the interface and {@link org.sparkdnn.engine.exchange.Exchanges}.
 */
package org.sparkdnn.engine.exchange;

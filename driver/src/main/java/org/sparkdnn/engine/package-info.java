/**
 * Training engines: how one optimizer step on a global batch is carried out ({@code cluster.engine}), each a
 * {@link org.sparkdnn.engine.StepEngine} made by {@link org.sparkdnn.engine.Engines} from an
 * {@link org.sparkdnn.engine.EngineInput} (the rows on the driver or on the executors). {@code local} is plain DL4J
 * {@code fit} in this JVM; {@code sync} runs a barrier stage of k workers and leaves the step to its exchange
 * ({@code engine.exchange}); {@code reference} is one plain Spark job per step; {@code shared} and {@code averaging}
 * are DL4J's own Spark trainers. Also here: how the rows reach the executors per epoch, and Spark's settings.
 */
package org.sparkdnn.engine;

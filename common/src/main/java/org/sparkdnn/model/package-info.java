/**
 * The model zoo: turns a {@link org.sparkdnn.config.ModelConfig} into a DL4J {@code ComputationGraph} (the one
 * network type used on every path), including what DL4J lacks: the SwiGLU block (DL4J dense layers joined by a
 * product vertex) and losses that take logits.
 */
package org.sparkdnn.model;

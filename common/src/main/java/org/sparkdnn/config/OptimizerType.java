package org.sparkdnn.config;

/** Optimizers, mapped onto DL4J's updaters (AdamW is Adam with decoupled weight decay). */
public enum OptimizerType implements Keyed {
    SGD, MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, ADAM, ADAMW
}

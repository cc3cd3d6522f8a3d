package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.fraction;
import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * The optimizer, applied once per global batch.
 *
 * @param type         sgd (default), momentum, nesterov, adagrad, rmsprop, adam, adamw
 * @param learningRate η (default 0.01)
 * @param momentum     for momentum and nesterov (default 0.9)
 * @param beta1        Adam's first-moment decay (default 0.9)
 * @param beta2        Adam's second-moment decay (default 0.999)
 * @param epsilon      Adam/RMSProp/Adagrad denominator guard (default 1e-8; DL4J's Adagrad default 1e-6)
 * @param rmsDecay     RMSProp's decay (default 0.95)
 * @param l2           L2 penalty λ/2·|w|² added to the loss gradient (default 0)
 * @param weightDecay  decoupled weight decay, applied with the learning rate (default 0; AdamW default 0.01)
 * @param clipNorm     clip each parameter's gradient to this L2 norm (default 0: off)
 * @param schedule     learning-rate schedule (default constant)
 */
public record OptimizerConfig(OptimizerType type, Double learningRate, Double momentum, Double beta1, Double beta2,
                              Double epsilon, Double rmsDecay, Double l2, Double weightDecay, Double clipNorm,
                              ScheduleConfig schedule) {
    public OptimizerConfig {
        type = orDefault(type, OptimizerType.SGD);
        learningRate = positive("learningRate", orDefault(learningRate, 0.01));
        momentum = fraction("momentum", orDefault(momentum, 0.9));
        beta1 = fraction("beta1", orDefault(beta1, 0.9));
        beta2 = fraction("beta2", orDefault(beta2, 0.999));
        epsilon = positive("epsilon", orDefault(epsilon, type == OptimizerType.ADAGRAD ? 1e-6 : 1e-8));
        rmsDecay = fraction("rmsDecay", orDefault(rmsDecay, 0.95));
        l2 = nonNegative("l2", orDefault(l2, 0.0));
        weightDecay = nonNegative("weightDecay", orDefault(weightDecay, type == OptimizerType.ADAMW ? 0.01 : 0.0));
        clipNorm = nonNegative("clipNorm", orDefault(clipNorm, 0.0));
        schedule = orDefault(schedule, ScheduleConfig::constant);
    }

    public static OptimizerConfig defaults() {
        return of(OptimizerType.SGD, 0.01);
    }

    public static OptimizerConfig of(OptimizerType type, double learningRate) {
        return new OptimizerConfig(type, learningRate, null, null, null, null, null, null, null, null, null);
    }
}

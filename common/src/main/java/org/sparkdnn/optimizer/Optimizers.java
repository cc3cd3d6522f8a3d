package org.sparkdnn.optimizer;

import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.InverseSchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.ScheduleConfig;

/** Builds the DL4J updater of an {@link OptimizerConfig}. L2, weight decay and clipping are set on the layers. */
public final class Optimizers {
    private Optimizers() {
    }

    /**
     * @param totalSteps the run's total number of optimizer steps (the default length of a cosine schedule)
     */
    public static IUpdater updater(OptimizerConfig config, long totalSteps) {
        ISchedule lr = schedule(config.learningRate(), config.schedule(), totalSteps);
        switch (config.type()) {
            case SGD:
                return new Sgd(lr);
            case MOMENTUM:
                return new Momentum(lr, config.momentum());
            case NESTEROV:
                return new Nesterovs(lr, config.momentum());
            case ADAGRAD:
                return new ScheduledAdaGrad(lr, config.epsilon());
            case RMSPROP:
                return RmsProp.builder().learningRateSchedule(lr).rmsDecay(config.rmsDecay())
                        .epsilon(config.epsilon()).build();
            case ADAM:
            case ADAMW:
                return Adam.builder().learningRateSchedule(lr).beta1(config.beta1()).beta2(config.beta2())
                        .epsilon(config.epsilon()).build();
            default:
                throw new IllegalArgumentException("unmapped optimizer " + config.type());
        }
    }

    /** The learning rate η_t as a function of the step t (DL4J's iteration count, from 0). */
    public static ISchedule schedule(double lr, ScheduleConfig s, long totalSteps) {
        ISchedule base;
        switch (s.type()) {
            case CONSTANT:
                base = new FixedSchedule(lr);
                break;
            case STEP:
                base = new StepSchedule(ScheduleType.ITERATION, lr, s.gamma(), s.stepSize());
                break;
            case EXPONENTIAL:
                base = new ExponentialSchedule(ScheduleType.ITERATION, lr, s.gamma());
                break;
            case INVERSE_SQRT:
                base = new InverseSchedule(ScheduleType.ITERATION, lr, 1.0, 0.5);
                break;
            case COSINE:
                // with warmup: up to the peak first, then the cosine over the remaining steps
                long cycle = s.totalSteps() > 0 ? s.totalSteps() : Math.max(1, totalSteps);
                base = new CosineSchedule(lr, s.minLearningRate(), Math.max(1, cycle - s.warmupSteps()));
                break;
            default:
                throw new IllegalArgumentException("unmapped schedule " + s.type());
        }
        return s.warmupSteps() > 0 ? new WarmupSchedule(base, s.warmupSteps(), s.type()
                == org.sparkdnn.config.ScheduleType.COSINE) : base;
    }
}

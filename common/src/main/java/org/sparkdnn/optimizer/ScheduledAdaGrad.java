package org.sparkdnn.optimizer;

import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * DL4J's AdaGrad whose learning-rate schedule survives {@link #clone()}. In DL4J 1.0.0-M2.1 {@code AdaGrad.clone()}
 * copies only the fixed rate, which is NaN when a schedule is set; DL4J clones each layer's updater while building a
 * network, so every parameter became NaN after the first step.
 */
public final class ScheduledAdaGrad extends AdaGrad {
    public ScheduledAdaGrad(@JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                            @JsonProperty("epsilon") double epsilon) {
        super(learningRateSchedule, epsilon);
    }

    @Override
    public ScheduledAdaGrad clone() {
        return new ScheduledAdaGrad(getLearningRateSchedule().clone(), getEpsilon());
    }
}

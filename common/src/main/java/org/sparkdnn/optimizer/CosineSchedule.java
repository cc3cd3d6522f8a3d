package org.sparkdnn.optimizer;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/** η_t = η_min + (η − η_min)·(1 + cos(π·min(t, T)/T))/2 over T steps (SGDR without restarts). */
public final class CosineSchedule implements ISchedule {
    private final double initialValue;
    private final double minValue;
    private final long cycleSteps;

    public CosineSchedule(@JsonProperty("initialValue") double initialValue, @JsonProperty("minValue") double minValue,
                          @JsonProperty("cycleSteps") long cycleSteps) {
        this.initialValue = initialValue;
        this.minValue = minValue;
        this.cycleSteps = cycleSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double progress = Math.min(iteration, cycleSteps) / (double) cycleSteps;
        return minValue + (initialValue - minValue) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public ISchedule clone() {
        return new CosineSchedule(initialValue, minValue, cycleSteps);
    }

    public double getInitialValue() {
        return initialValue;
    }

    public double getMinValue() {
        return minValue;
    }

    public long getCycleSteps() {
        return cycleSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CosineSchedule && ((CosineSchedule) o).initialValue == initialValue
                && ((CosineSchedule) o).minValue == minValue && ((CosineSchedule) o).cycleSteps == cycleSteps;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(initialValue) * 31 + Long.hashCode(cycleSteps);
    }
}

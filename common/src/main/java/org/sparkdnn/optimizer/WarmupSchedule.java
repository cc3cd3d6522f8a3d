package org.sparkdnn.optimizer;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup in front of a schedule: η_t = base_t·(t+1)/n for t &lt; n − 1, then base_t — the arithmetic of DL4J's
 * {@code RampSchedule}, which cannot be read back from a network's JSON (no Jackson creator), so a network using it
 * could not be shipped to the sync engine's workers.
 */
public final class WarmupSchedule implements ISchedule {
    private final ISchedule baseSchedule;
    private final int warmupSteps;

    public WarmupSchedule(@JsonProperty("baseSchedule") ISchedule baseSchedule,
                          @JsonProperty("warmupSteps") int warmupSteps) {
        this.baseSchedule = baseSchedule;
        this.warmupSteps = warmupSteps;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double base = baseSchedule.valueAt(iteration, epoch);
        if (iteration >= warmupSteps - 1) {
            return base;
        }
        return (iteration + 1) / (double) warmupSteps * base;
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(baseSchedule.clone(), warmupSteps);
    }

    public ISchedule getBaseSchedule() {
        return baseSchedule;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule w && w.warmupSteps == warmupSteps && w.baseSchedule.equals(baseSchedule);
    }

    @Override
    public int hashCode() {
        return baseSchedule.hashCode() * 31 + warmupSteps;
    }
}

package org.sparkdnn.optimizer;

import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Linear warmup in front of a schedule: η_t = base_t·(t+1)/n for t &lt; n − 1, then base_t — the arithmetic of DL4J's
 * {@code RampSchedule}, which cannot be read back from a network's JSON (no Jackson creator), so a network using it
 * could not be shipped to the sync engine's workers. With {@code delayBase} the schedule starts after the warmup
 * (base evaluated at max(0, t − n)): the warmup reaches the peak rate and the decay (cosine) begins from there.
 */
public final class WarmupSchedule implements ISchedule {
    private final ISchedule baseSchedule;
    private final int warmupSteps;
    private final boolean delayBase;

    public WarmupSchedule(ISchedule baseSchedule, int warmupSteps) {
        this(baseSchedule, warmupSteps, false);
    }

    public WarmupSchedule(@JsonProperty("baseSchedule") ISchedule baseSchedule,
                          @JsonProperty("warmupSteps") int warmupSteps,
                          @JsonProperty("delayBase") boolean delayBase) {
        this.baseSchedule = baseSchedule;
        this.warmupSteps = warmupSteps;
        this.delayBase = delayBase;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double base = baseSchedule.valueAt(delayBase ? Math.max(0, iteration - warmupSteps) : iteration, epoch);
        if (iteration >= warmupSteps - 1) {
            return base;
        }
        return (iteration + 1) / (double) warmupSteps * base;
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(baseSchedule.clone(), warmupSteps, delayBase);
    }

    public ISchedule getBaseSchedule() {
        return baseSchedule;
    }

    public int getWarmupSteps() {
        return warmupSteps;
    }

    public boolean isDelayBase() {
        return delayBase;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule w && w.warmupSteps == warmupSteps && w.delayBase == delayBase
                && w.baseSchedule.equals(baseSchedule);
    }

    @Override
    public int hashCode() {
        return baseSchedule.hashCode() * 31 + warmupSteps;
    }
}

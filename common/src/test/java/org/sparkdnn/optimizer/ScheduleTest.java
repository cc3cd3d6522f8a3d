package org.sparkdnn.optimizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ISchedule;
import org.sparkdnn.config.ScheduleConfig;
import org.sparkdnn.config.ScheduleType;

/** {@link Optimizers#schedule} gives the learning rates that {@link ScheduleConfig} documents, step by step. */
class ScheduleTest {
    private static final double LR = 0.1;
    private static final double TOL = 1e-15;

    @Test
    void constantKeepsTheLearningRate() {
        assertValues(schedule(ScheduleType.CONSTANT, null, null, null, null, null, 100), t -> LR, 50);
    }

    @Test
    void stepMultipliesByGammaEveryStepSizeSteps() {
        ISchedule s = schedule(ScheduleType.STEP, null, 3, 0.5, null, null, 100);
        assertValues(s, t -> LR * Math.pow(0.5, Math.floor(t / 3.0)), 12);
        assertEquals(LR, s.valueAt(2, 0), TOL);
        assertEquals(LR * 0.5, s.valueAt(3, 0), TOL);
        assertEquals(LR * 0.25, s.valueAt(6, 0), TOL);
    }

    @Test
    void stepDefaultsToGammaPointOneEveryThousandSteps() {
        ISchedule s = schedule(ScheduleType.STEP, null, null, null, null, null, 100);
        assertEquals(LR, s.valueAt(999, 0), TOL);
        assertEquals(LR * 0.1, s.valueAt(1000, 0), 1e-16);
    }

    @Test
    void exponentialMultipliesByGammaEveryStep() {
        assertValues(schedule(ScheduleType.EXPONENTIAL, null, null, 0.9, null, null, 100),
                t -> LR * Math.pow(0.9, t), 20);
        assertValues(schedule(ScheduleType.EXPONENTIAL, null, null, null, null, null, 100),
                t -> LR * Math.pow(0.999, t), 20);
    }

    @Test
    void inverseSqrtIsLearningRateOverRootOfOnePlusStep() {
        ISchedule s = schedule(ScheduleType.INVERSE_SQRT, null, null, null, null, null, 100);
        assertValues(s, t -> LR / Math.sqrt(1 + t), 30);
        assertEquals(LR / 2, s.valueAt(3, 0), TOL);
        assertEquals(LR / 10, s.valueAt(99, 0), TOL);
    }

    @Test
    void cosineFallsFromLearningRateToTheFloorOverTotalStepsAndStaysThere() {
        ISchedule s = schedule(ScheduleType.COSINE, null, null, null, 10L, 0.001, 500);
        assertValues(s, t -> 0.001 + (LR - 0.001) * 0.5 * (1 + Math.cos(Math.PI * Math.min(t, 10) / 10.0)), 15);
        assertEquals(LR, s.valueAt(0, 0), TOL);
        assertEquals((LR + 0.001) / 2, s.valueAt(5, 0), TOL);
        assertEquals(0.001, s.valueAt(10, 0), TOL);
        assertEquals(0.001, s.valueAt(400, 0), TOL);
    }

    @Test
    void cosineDefaultsItsLengthToTheRunsTotalSteps() {
        ISchedule s = schedule(ScheduleType.COSINE, null, null, null, null, null, 20);
        assertEquals(LR / 2, s.valueAt(10, 0), TOL);
        assertEquals(0.0, s.valueAt(20, 0), TOL);
        assertEquals(new CosineSchedule(LR, 0, 20), s);
    }

    @Test
    void warmupRampsLinearlyFromLearningRateOverWarmupStepsThenFollowsTheSchedule() {
        ISchedule s = schedule(ScheduleType.CONSTANT, 4, null, null, null, null, 100);
        assertValues(s, t -> t < 4 ? LR * (t + 1) / 4.0 : LR, 10);
        assertEquals(LR / 4, s.valueAt(0, 0), TOL);
        assertEquals(LR, s.valueAt(3, 0), TOL);
    }

    @Test
    void warmupScalesTheUnderlyingScheduleNotTheBaseRate() {
        ISchedule s = schedule(ScheduleType.EXPONENTIAL, 5, null, 0.5, null, null, 100);
        assertValues(s, t -> LR * Math.pow(0.5, t) * Math.min(1.0, (t + 1) / 5.0), 12);
    }

    @Test
    void warmupGivesBitwiseDl4jsRampScheduleAndSurvivesTheNetworkJsonThatWorkersRead() throws Exception {
        ISchedule ours = schedule(ScheduleType.STEP, 7, 5, 0.5, null, null, 100);
        ISchedule dl4j = new org.nd4j.linalg.schedule.RampSchedule(new org.nd4j.linalg.schedule.StepSchedule(
                org.nd4j.linalg.schedule.ScheduleType.ITERATION, LR, 0.5, 5), 7);
        for (int t = 0; t < 30; t++) {
            assertEquals(dl4j.valueAt(t, 0), ours.valueAt(t, 0), 0.0, "step " + t);
        }
        org.nd4j.shade.jackson.databind.ObjectMapper json = org.nd4j.serde.json.JsonMappers.getMapper();
        ISchedule read = json.readValue(json.writeValueAsString(ours), ISchedule.class);
        assertEquals(ours, read);
        assertEquals(ours.valueAt(3, 0), read.valueAt(3, 0), 0.0);
    }

    @Test
    void cosineWithWarmupReachesThePeakRateThenDecaysOverTheRemainingSteps() {
        ISchedule s = schedule(ScheduleType.COSINE, 10, null, null, null, null, 110);
        assertValues(s, t -> t < 10 ? LR * (t + 1) / 10.0 : LR * 0.5 * (1 + Math.cos(Math.PI * (t - 10) / 100.0)), 110);
        assertEquals(LR, s.valueAt(9, 0), TOL, "the peak at the end of the warmup");
        assertEquals(LR / 2, s.valueAt(60, 0), TOL, "half way through the decay");
        assertEquals(0.0, s.valueAt(110, 0), TOL);
    }

    @Test
    void schedulesFollowTheIterationCountNotTheEpoch() {
        ISchedule s = schedule(ScheduleType.EXPONENTIAL, null, null, 0.5, null, null, 100);
        assertEquals(s.valueAt(3, 0), s.valueAt(3, 7), 0.0);
        assertEquals(LR * 0.125, s.valueAt(3, 7), TOL);
    }

    private static ISchedule schedule(ScheduleType type, Integer warmup, Integer stepSize, Double gamma,
                                      Long totalSteps, Double minLr, long runSteps) {
        return Optimizers.schedule(LR, new ScheduleConfig(type, warmup, stepSize, gamma, totalSteps, minLr, null), runSteps);
    }

    private static void assertValues(ISchedule s, IntToDoubleFunction expected, int steps) {
        for (int t = 0; t <= steps; t++) {
            assertEquals(expected.applyAsDouble(t), s.valueAt(t, 0), TOL, "η at step " + t);
        }
    }
}

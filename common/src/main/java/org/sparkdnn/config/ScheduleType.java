package org.sparkdnn.config;

/** Learning-rate schedules, evaluated per optimizer step (see {@link ScheduleConfig}). */
public enum ScheduleType implements Keyed {
    CONSTANT, STEP, EXPONENTIAL, INVERSE_SQRT, COSINE
}

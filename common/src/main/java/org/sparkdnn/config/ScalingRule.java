package org.sparkdnn.config;

/**
 * How the learning rate follows a trial's global batch size B against the base's B0: {@code linear} η·B/B0 (Goyal et
 * al. 2017), {@code sqrt} η·√(B/B0) (Adam/RMSProp, Malladi et al. 2022), or {@code none}.
 */
public enum ScalingRule implements Keyed {
    NONE, LINEAR, SQRT
}

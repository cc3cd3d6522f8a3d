package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.nonNegative;
import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * The parameters of {@code data.format: synthetic} ({@code data.synthetic}): a named, seeded generator
 * ({@code data.train}) makes the rows, the same for the same parameters on every machine.
 *
 * <ul>
 *   <li>{@code points}: {@code count} points x uniform in [−1, 1]^{@code features}, target
 *       y = {@code strength}·sin(π·x₀) + {@code noise}·N(0, 1): a small regression set to fit exactly (the lecture
 *       notes' "simple dataset of 50 points").</li>
 *   <li>{@code teacher}: x ~ N(0, I) in {@code features} dimensions (whitened inputs), y = {@code strength}·u·x +
 *       {@code noise}·N(0, 1) with u a unit vector drawn from the seed: a linear teacher whose input–output map has
 *       the single singular value {@code strength} (Saxe et al. 2014's setting, one mode).</li>
 *   <li>{@code halfspace}: x ~ N(0, I), class 1 where u·x + {@code noise}·N(0, 1) &gt; 0, else 0: a binary
 *       classification task (a linear boundary, label noise from {@code noise}).</li>
 * </ul>
 * {@code outliers} (a fraction) of the <em>training</em> rows — after validation and test are held out, which stay
 * clean — get {@code outlierShift} added to their target: one-sided outliers (regression generators only).
 *
 * @param count    rows (default 50)
 * @param features input width (default 1)
 * @param seed     the generator's seed (default 1), independent of the training seed
 * @param noise    standard deviation of the target noise (default 0)
 * @param strength the target's scale (default 1)
 * @param outliers the fraction of training rows whose target is shifted (default 0)
 * @param outlierShift what is added to an outlier's target (default 10)
 * @param conditionNumber {@code teacher} and {@code halfspace}: input j has standard deviation
 *                 κ^(−j / (2(features − 1))), so that the inputs' covariance has condition number κ (default 1:
 *                 whitened) — an ill-conditioned least-squares problem, where momentum beats gradient descent
 */
public record SyntheticConfig(Integer count, Integer features, Long seed, Double noise, Double strength,
                              Double outliers, Double outlierShift, Double conditionNumber) {
    /** The standard deviation of input {@code j} of {@code features} ({@code conditionNumber}). */
    public double inputScale(int j) {
        return features == 1 ? 1.0 : Math.pow(conditionNumber, -j / (2.0 * (features - 1)));
    }

    /** The generator names {@code data.train} may take with {@code data.format: synthetic}. */
    public static final java.util.List<String> GENERATORS = java.util.List.of("points", "teacher", "halfspace");

    public SyntheticConfig {
        count = positive("count", orDefault(count, 50));
        features = positive("features", orDefault(features, 1));
        if ((long) count * features > Integer.MAX_VALUE) {
            throw new ConfigException("count", "times features (" + features + ") must be < 2^31 values", count);
        }
        seed = orDefault(seed, 1L);
        noise = nonNegative("noise", orDefault(noise, 0.0));
        strength = orDefault(strength, 1.0);
        if (!Double.isFinite(strength)) {
            throw new ConfigException("strength", "must be finite", strength);
        }
        outliers = Checks.fraction("outliers", orDefault(outliers, 0.0));
        outlierShift = orDefault(outlierShift, 10.0);
        conditionNumber = orDefault(conditionNumber, 1.0);
        if (!(conditionNumber >= 1) || Double.isInfinite(conditionNumber)) {
            throw new ConfigException("conditionNumber", "must be >= 1 and finite", conditionNumber);
        }
        if (!Double.isFinite(outlierShift)) {
            throw new ConfigException("outlierShift", "must be finite", outlierShift);
        }
    }

    public static SyntheticConfig defaults() {
        return new SyntheticConfig(null, null, null, null, null, null, null, null);
    }
}

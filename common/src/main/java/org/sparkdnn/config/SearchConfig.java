package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * @param type   {@code grid}, {@code random} or {@code halton} (default random)
 * @param trials number of trials for random/halton (default 10; grid search ignores it and takes the whole grid)
 * @param seed   seed of the draws (default 1)
 * @param includeBase the base config's own values of the space keys as the first trial, {@code t000} (default
 *                    false): the default competes, so a winner has beaten it on the sweep's metric
 */
public record SearchConfig(SearchType type, Integer trials, Long seed, Boolean includeBase) {
    public SearchConfig {
        type = orDefault(type, SearchType.RANDOM);
        trials = positive("trials", orDefault(trials, 10));
        seed = orDefault(seed, 1L);
        includeBase = orDefault(includeBase, false);
    }

    public static SearchConfig defaults() {
        return new SearchConfig(null, null, null, null);
    }
}

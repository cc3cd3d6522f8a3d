package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;
import static org.sparkdnn.config.Checks.positive;

/**
 * @param type   {@code grid}, {@code random} or {@code halton} (default random)
 * @param trials number of trials for random/halton (default 10; grid search ignores it and takes the whole grid)
 * @param seed   seed of the draws (default 1)
 */
public record SearchConfig(SearchType type, Integer trials, Long seed) {
    public SearchConfig {
        type = orDefault(type, SearchType.RANDOM);
        trials = positive("trials", orDefault(trials, 10));
        seed = orDefault(seed, 1L);
    }

    public static SearchConfig defaults() {
        return new SearchConfig(null, null, null);
    }
}

package org.sparkdnn.config;

import java.util.List;

/** How a sweep draws its trials: the full grid, seeded random draws, or a scrambled Halton sequence. */
public enum SearchType implements Keyed {
    GRID, RANDOM, HALTON;

    @Override
    public List<String> aliases() {
        return this == HALTON ? List.of("quasiRandom", "lowDiscrepancy") : List.of();
    }
}

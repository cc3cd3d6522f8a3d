package org.sparkdnn.config;

/** How a sweep draws its trials: the full grid, seeded random draws, or a scrambled Halton sequence. */
public enum SearchType implements Keyed {
    GRID, RANDOM, HALTON;

    @Override
    public java.util.List<String> aliases() {
        return this == HALTON ? java.util.List.of("quasiRandom", "lowDiscrepancy") : java.util.List.of();
    }
}

package org.sparkdnn.data;

/**
 * The project's specified pseudo-random generator, so that batch orders and data splits do not depend on a JDK's
 * implementation: SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014).
 *
 * <ul>
 *   <li>state s₀ = seed; each draw first adds γ = 0x9E3779B97F4A7C15 (mod 2⁶⁴);</li>
 *   <li>{@code nextLong} = mix64(s): z ← (z ⊕ z≫30)·0xBF58476D1CE4E5B9; z ← (z ⊕ z≫27)·0x94D049BB133111EB; z ⊕ z≫31;</li>
 *   <li>{@code nextInt} = mix32(s): z ← (z ⊕ z≫33)·0x62A9D9ED799705F5; the high 32 bits of (z ⊕ z≫28)·0xCB24D0A5C88C35B3;</li>
 *   <li>{@code nextInt(bound)}: r = nextInt(); a power of two takes r &amp; (bound−1); otherwise u = r ≫ 1 (unsigned),
 *       r = u mod bound, and while u − r + bound − 1 overflows 31 bits, u = nextInt() ≫ 1 again (rejection, unbiased).</li>
 * </ul>
 * These are exactly the outputs of JDK 17's {@code java.util.SplittableRandom} for the same seed (tested), which the
 * project used before; the golden test pins the first permutation of the quick start.
 */
public final class SplitMix64 {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public SplitMix64(long seed) {
        this.state = seed;
    }

    public long nextLong() {
        long z = state += GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    public int nextInt() {
        long z = state += GAMMA;
        z = (z ^ (z >>> 33)) * 0x62A9D9ED799705F5L;
        return (int) (((z ^ (z >>> 28)) * 0xCB24D0A5C88C35B3L) >>> 32);
    }

    /** Uniform in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, was " + bound);
        }
        int r = nextInt();
        int m = bound - 1;
        if ((bound & m) == 0) {
            return r & m;
        }
        for (int u = r >>> 1; u + m - (r = u % bound) < 0; u = nextInt() >>> 1) {
            // rejected: u fell in the incomplete last block of size bound
        }
        return r;
    }

    /** Uniform in [0, 1): the high 53 bits of {@link #nextLong}, as {@code SplittableRandom.nextDouble}. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}

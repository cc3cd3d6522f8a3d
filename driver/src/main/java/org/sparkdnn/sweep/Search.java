package org.sparkdnn.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.sparkdnn.config.Distribution;
import org.sparkdnn.config.SearchConfig;
import org.sparkdnn.data.BatchPlan;
import org.sparkdnn.data.SplitMix64;

/**
 * The trial list, a pure function of the space and the search settings. {@code grid}: the Cartesian product of the
 * keys' values (the last key varies fastest). {@code random}: trial i's quantiles come from a generator seeded by
 * (seed, i). {@code halton}: trial i's quantiles are the Halton point i+1 in prime bases 2, 3, 5, … (one per key),
 * shifted by a seeded random offset modulo 1 (Cranley–Patterson rotation), which covers the space more evenly than
 * random draws at small budgets.
 */
public final class Search {
    private static final int[] PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71};
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Search() {
    }

    public static List<Trial> trials(Map<String, Distribution> space, SearchConfig search) {
        switch (search.type()) {
            case GRID:
                return grid(space);
            case RANDOM:
                return draws(space, search.trials(), i -> random(space.size(), search.seed(), i));
            case HALTON:
                if (space.size() > PRIMES.length) {
                    throw new IllegalArgumentException("halton search supports " + PRIMES.length + " keys");
                }
                double[] shift = random(space.size(), search.seed(), -1);
                return draws(space, search.trials(), i -> halton(i + 1, shift));
            default:
                throw new IllegalArgumentException("unmapped search " + search.type());
        }
    }

    private static List<Trial> draws(Map<String, Distribution> space, int n, IntFunction<double[]> u) {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] q = u.apply(i);
            Map<String, JsonNode> params = new LinkedHashMap<>();
            int d = 0;
            for (Map.Entry<String, Distribution> e : space.entrySet()) {
                params.put(e.getKey(), e.getValue().at(q[d++], NODES));
            }
            trials.add(new Trial(Trial.id(i), params));
        }
        return trials;
    }

    private static List<Trial> grid(Map<String, Distribution> space) {
        List<String> keys = new ArrayList<>(space.keySet());
        int total = 1;
        for (String k : keys) {
            total = Math.multiplyExact(total, space.get(k).values().size());
        }
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            Map<String, JsonNode> params = new LinkedHashMap<>();
            int rest = i;
            int[] digits = new int[keys.size()];
            for (int d = keys.size() - 1; d >= 0; d--) {
                int n = space.get(keys.get(d)).values().size();
                digits[d] = rest % n;
                rest /= n;
            }
            for (int d = 0; d < keys.size(); d++) {
                params.put(keys.get(d), space.get(keys.get(d)).values().get(digits[d]));
            }
            trials.add(new Trial(Trial.id(i), params));
        }
        return trials;
    }

    private static double[] random(int dims, long seed, int trial) {
        SplitMix64 r = new SplitMix64(BatchPlan.epochSeed(seed, trial));
        double[] u = new double[dims];
        for (int d = 0; d < dims; d++) {
            u[d] = r.nextDouble();
        }
        return u;
    }

    static double[] halton(int index, double[] shift) {
        double[] u = new double[shift.length];
        for (int d = 0; d < shift.length; d++) {
            double v = radicalInverse(index, PRIMES[d]) + shift[d];
            u[d] = v - Math.floor(v);
        }
        return u;
    }

    static double radicalInverse(int index, int base) {
        double result = 0;
        double f = 1.0 / base;
        for (int i = index; i > 0; i /= base) {
            result += f * (i % base);
            f /= base;
        }
        return result;
    }
}

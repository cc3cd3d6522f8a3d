package org.sparkdnn.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Stops when the validation loss has not improved by more than {@code minDelta} for {@code patience} epochs
 * (patience 0: never). Remembers the best epoch so the run can restore its parameters.
 */
final class EarlyStopping {
    private final int patience;
    private final double minDelta;
    private double best = Double.POSITIVE_INFINITY;
    private int bestEpoch = -1;
    private int sinceBest;

    EarlyStopping(int patience, double minDelta) {
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /** State for a checkpoint manifest. */
    Map<String, Double> state() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("bestLoss", Double.isInfinite(best) ? null : best);
        m.put("bestEpoch", (double) bestEpoch);
        m.put("sinceBest", (double) sinceBest);
        return m;
    }

    /** Restores {@link #state()} (from a checkpoint being resumed). */
    void restore(Map<String, Double> state) {
        if (state == null || state.isEmpty()) {
            return;
        }
        Double bestLoss = state.get("bestLoss");
        best = bestLoss == null ? Double.POSITIVE_INFINITY : bestLoss;
        bestEpoch = state.getOrDefault("bestEpoch", -1.0).intValue();
        sinceBest = state.getOrDefault("sinceBest", 0.0).intValue();
    }

    /** Records epoch {@code epoch}'s validation loss; true when it is the best so far. */
    boolean record(int epoch, double validationLoss) {
        if (validationLoss < best - minDelta) {
            best = validationLoss;
            bestEpoch = epoch;
            sinceBest = 0;
            return true;
        }
        sinceBest++;
        return false;
    }

    boolean shouldStop() {
        return patience > 0 && sinceBest >= patience;
    }

    boolean enabled() {
        return patience > 0;
    }

    int bestEpoch() {
        return bestEpoch;
    }

    double bestLoss() {
        return best;
    }
}

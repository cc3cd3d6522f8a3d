package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Hyperband's brackets over a fixed trial list, decided as deterministically as ASHA's rungs. */
class HyperbandTest {
    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Trial.id(i));
        }
        return ids;
    }

    private static Asha.Plan simulate(List<String> ids, List<Integer> rungs, int slots, long order) {
        SplittableRandom random = new SplittableRandom(order);
        Map<Asha.Job, Asha.Outcome> results = new HashMap<>();
        while (true) {
            Asha.Plan plan = Hyperband.decide(ids, rungs, 3, true, results);
            if (plan.finished()) {
                return plan;
            }
            List<Asha.Job> window = plan.runnable().subList(0, Math.min(slots, plan.runnable().size()));
            Asha.Job next = window.get(random.nextInt(window.size()));
            double level = new SplittableRandom(next.trial().hashCode()).nextDouble();
            results.put(next, new Asha.Outcome(level * (1 + next.rung()), false));
        }
    }

    @Test
    void bracketSizesFollowHyperbandScaledToTheTrials() {
        // 1 -> 27 epochs, eta 3: Hyperband's n_s = 27, 12, 6, 4 (49), scaled to 27 trials: 14+2, 6, 3, 2
        List<Hyperband.Bracket> b = Hyperband.brackets(ids(27), 4, 3);
        assertEquals(List.of(16, 6, 3, 2), b.stream().map(x -> x.trials().size()).toList());
        assertEquals(List.of(0, 1, 2, 3), b.stream().map(Hyperband.Bracket::firstRung).toList());
        assertEquals("t016", b.get(1).trials().get(0), "trials dealt in order");
    }

    @Test
    void theLastBracketsTrialsStartAtMaxResourceAndTheDecisionsDoNotDependOnOrder() {
        List<Integer> rungs = List.of(1, 3, 9, 27);
        Asha.Plan reference = simulate(ids(27), rungs, 1, 1);
        assertEquals(List.of("t025", "t026"), reference.entrants().get(3).subList(
                reference.entrants().get(3).size() - 2, reference.entrants().get(3).size()),
                "bracket s=0 enters rung 3 (27 epochs) directly");
        for (int slots = 1; slots <= 4; slots++) {
            for (long order = 1; order <= 5; order++) {
                assertEquals(reference.entrants(), simulate(ids(27), rungs, slots, order).entrants());
            }
        }
    }
}

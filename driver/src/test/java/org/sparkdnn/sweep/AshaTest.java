package org.sparkdnn.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.SchedulerConfig;
import org.sparkdnn.config.SchedulerType;

/** ASHA's decisions depend on the results only: any completion order and concurrency gives the same promotions. */
class AshaTest {
    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(Trial.id(i));
        }
        return ids;
    }

    /** A made-up metric for (trial, rung): a trial-specific level that improves with the rung. */
    private static Asha.Outcome metric(Asha.Job job, int failing) {
        if (Integer.parseInt(job.trial().substring(1)) == failing) {
            return Asha.Outcome.failure();
        }
        double level = new SplittableRandom(job.trial().hashCode()).nextDouble();
        return new Asha.Outcome(level / (1 + job.rung()), false);
    }

    /** Runs the decisions to the end, completing a seeded-random one of at most {@code slots} runnable jobs each time. */
    private static Asha.Plan simulate(List<String> ids, List<Integer> rungs, int slots, long order, int failing) {
        SplittableRandom random = new SplittableRandom(order);
        Map<Asha.Job, Asha.Outcome> results = new HashMap<>();
        List<List<String>> previous = null;
        while (true) {
            Asha.Plan plan = Asha.decide(ids, rungs, 3, false, results);
            if (previous != null) {
                for (int k = 0; k < previous.size(); k++) {
                    List<String> before = previous.get(k);
                    assertEquals(before, plan.entrants().get(k).subList(0, before.size()), "promotions only grow");
                }
            }
            previous = plan.entrants();
            if (plan.finished()) {
                return plan;
            }
            List<Asha.Job> window = plan.runnable().subList(0, Math.min(slots, plan.runnable().size()));
            Asha.Job next = window.get(random.nextInt(window.size()));
            results.put(next, metric(next, failing));
        }
    }

    @Test
    void rungsGrowByTheReductionFactorUpToMaxResource() {
        SchedulerConfig asha = new SchedulerConfig(SchedulerType.ASHA, null, null, 1, null, 3, null);
        assertEquals(List.of(1, 3, 9, 27), Asha.rungs(asha, 27));
        assertEquals(List.of(1, 3, 9, 20), Asha.rungs(asha, 20));
        assertEquals(List.of(27), Asha.rungs(SchedulerConfig.defaults(), 27));
    }

    @Test
    void theSamePromotionsWhateverTheCompletionOrderAndTheNumberOfSlots() {
        List<Integer> rungs = List.of(1, 3, 9, 27);
        Asha.Plan reference = simulate(ids(27), rungs, 1, 1, -1);
        assertEquals(List.of(27, 9, 3, 1), reference.entrants().stream().map(List::size).toList());
        for (int slots = 1; slots <= 6; slots++) {
            for (long order = 1; order <= 10; order++) {
                assertEquals(reference.entrants(), simulate(ids(27), rungs, slots, order, -1).entrants(),
                        slots + " slots, order " + order);
            }
        }
    }

    @Test
    void aRungThatEndsWithFewerThanEtaResultsStillPromotesItsBest() {
        Asha.Plan plan = simulate(ids(24), List.of(1, 3, 9, 27), 4, 3, -1);
        assertEquals(List.of(24, 8, 2, 1), plan.entrants().stream().map(List::size).toList());
    }

    @Test
    void aFailedTrialIsCountedButNeverPromoted() {
        // make t000 the failure; its neighbours' results still decide promotions
        Asha.Plan plan = simulate(ids(9), List.of(1, 3, 9), 2, 5, 0);
        assertFalse(plan.entrants().get(1).contains("t000"), plan.entrants().toString());
        assertEquals(3, plan.entrants().get(1).size(), "9 results at rung 0 (one failed) promote 3");
    }

    @Test
    void promotionsAreDecidedInTrialOrderNotInCompletionOrder() {
        Map<Asha.Job, Asha.Outcome> results = new HashMap<>();
        List<String> ids = ids(6);
        // t001..t005 finished rung 0 but t000 did not: nothing can be counted yet
        for (int i = 1; i < 6; i++) {
            results.put(new Asha.Job(Trial.id(i), 0), new Asha.Outcome(0.1 * i, false));
        }
        Asha.Plan waiting = Asha.decide(ids, List.of(1, 3), 3, false, results);
        assertTrue(waiting.entrants().get(1).isEmpty(), waiting.toString());
        assertEquals(List.of(new Asha.Job("t000", 0)), waiting.runnable());
        results.put(new Asha.Job("t000", 0), new Asha.Outcome(0.9, false));
        Asha.Plan decided = Asha.decide(ids, List.of(1, 3), 3, false, results);
        assertEquals(List.of("t001", "t002"), decided.entrants().get(1), "the best 2 of 6 (minimising)");
    }
}

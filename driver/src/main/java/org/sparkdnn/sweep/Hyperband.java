package org.sparkdnn.sweep;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Hyperband (Li et al., JMLR 2018) over a fixed trial list, asynchronously: bracket s (s = s_max … 0, s_max + 1 =
 * the number of rungs) starts its trials at rung s_max − s, i.e. at maxResource·η^−s epochs, and runs successive
 * halving with {@link Asha}'s deterministic rule from there ("asynchronous Hyperband", Li et al. 2020). Bracket sizes
 * follow Hyperband's n_s = ⌈(s_max+1)/(s+1)·η^s⌉, scaled to the sweep's number of trials (the remainder goes to the
 * most exploratory bracket); trials are dealt to brackets in order, the most exploratory first.
 */
final class Hyperband {
    /** A bracket's trials, entering at global rung {@code firstRung}. */
    record Bracket(List<String> trials, int firstRung) {
    }

    private Hyperband() {
    }

    static List<Bracket> brackets(List<String> trials, int rungs, int eta) {
        int sMax = rungs - 1;
        double[] n = new double[rungs];
        double total = 0;
        for (int s = sMax; s >= 0; s--) {
            n[s] = Math.ceil((sMax + 1.0) / (s + 1) * Math.pow(eta, s));
            total += n[s];
        }
        int[] size = new int[rungs];
        int dealt = 0;
        for (int s = sMax; s >= 0; s--) {
            size[s] = (int) Math.floor(trials.size() * n[s] / total);
            dealt += size[s];
        }
        size[sMax] += trials.size() - dealt;
        List<Bracket> brackets = new ArrayList<>();
        int next = 0;
        for (int s = sMax; s >= 0; s--) {
            if (size[s] > 0) {
                brackets.add(new Bracket(List.copyOf(trials.subList(next, next + size[s])), sMax - s));
                next += size[s];
            }
        }
        return brackets;
    }

    static Asha.Plan decide(List<String> trials, List<Integer> resources, int eta, boolean maximise,
                            Map<Asha.Job, Asha.Outcome> results) {
        List<List<String>> entrants = new ArrayList<>();
        for (int k = 0; k < resources.size(); k++) {
            entrants.add(new ArrayList<>());
        }
        List<List<Asha.Job>> runnableByRung = new ArrayList<>();
        for (int k = 0; k < resources.size(); k++) {
            runnableByRung.add(new ArrayList<>());
        }
        for (Bracket b : brackets(trials, resources.size(), eta)) {
            int first = b.firstRung();
            Map<Asha.Job, Asha.Outcome> local = new HashMap<>();
            results.forEach((job, outcome) -> {
                if (b.trials().contains(job.trial()) && job.rung() >= first) {
                    local.put(new Asha.Job(job.trial(), job.rung() - first), outcome);
                }
            });
            Asha.Plan plan = Asha.decide(b.trials(), resources.subList(first, resources.size()), eta, maximise, local);
            for (int k = 0; k < plan.entrants().size(); k++) {
                entrants.get(k + first).addAll(plan.entrants().get(k));
            }
            plan.runnable().forEach(j -> runnableByRung.get(j.rung() + first).add(new Asha.Job(j.trial(),
                    j.rung() + first)));
        }
        List<Asha.Job> runnable = new ArrayList<>();
        for (int k = resources.size() - 1; k >= 0; k--) {
            runnable.addAll(runnableByRung.get(k));
        }
        return new Asha.Plan(resources, entrants.stream().map(List::copyOf).toList(), List.copyOf(runnable));
    }
}

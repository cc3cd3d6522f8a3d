package org.sparkdnn.sweep;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.SchedulerConfig;
import org.sparkdnn.config.SchedulerType;

/**
 * Successive halving with ASHA's promotion rule (Li et al., MLSys 2020), decided in a fixed order so that the
 * decisions are a pure function of the results, never of completion order or timing.
 *
 * <p>Rung k trains a trial to {@code minResource·η^k} epochs (the last rung to {@code maxResource}). ASHA promotes a
 * trial from rung k as soon as it is in the top ⌊n/η⌋ of the n results rung k has so far. Here "so far" is read in
 * a fixed order: rung 0's entrants in trial order, rung k+1's in the order they were promoted, and a result counts
 * only once every entrant before it has one. So a trial that finishes early waits for the trials before it to be
 * counted (idle slots when nothing else can run) — the price of determinism. A failed trial counts as a result and
 * is never promoted. When a rung can get no more entrants and ends with fewer than η results, its best one is
 * promoted (so a winner always reaches maxResource). Promotions are never taken back. Scheduler {@code none} is one rung at maxResource.
 */
public final class Asha {
    /** A trial trained to rung {@code rung}'s resource. */
    public record Job(String trial, int rung) {
    }

    /** A job's result: the metric, or failed. */
    public record Outcome(double metric, boolean failed) {
        static Outcome failure() {
            return new Outcome(Double.NaN, true);
        }
    }

    /**
     * The decisions so far.
     *
     * @param entrants per rung, the trials that entered it, in decision order
     * @param runnable jobs decided but without a result, highest rung first
     */
    public record Plan(List<Integer> resources, List<List<String>> entrants, List<Job> runnable) {
        public boolean finished() {
            return runnable.isEmpty();
        }

        /** The highest rung a trial entered, if any. */
        public int topRung(String trial) {
            for (int k = entrants.size() - 1; k >= 0; k--) {
                if (entrants.get(k).contains(trial)) {
                    return k;
                }
            }
            return -1;
        }
    }

    private Asha() {
    }

    /** The rungs' resources in epochs. */
    public static List<Integer> rungs(SchedulerConfig s, int maxResource) {
        List<Integer> r = new ArrayList<>();
        if (s.type() == SchedulerType.NONE) {
            return List.of(maxResource);
        }
        for (long e = s.minResource(); e < maxResource; e *= s.reductionFactor()) {
            r.add((int) e);
        }
        r.add(maxResource);
        return List.copyOf(r);
    }

    public static Plan decide(List<String> trials, List<Integer> resources, int eta, boolean maximise,
                              Map<Job, Outcome> results) {
        List<List<String>> entrants = new ArrayList<>();
        entrants.add(List.copyOf(trials));
        boolean closed = true; // no more entrants can join rung k
        for (int k = 0; k < resources.size() - 1; k++) {
            int rung = k;
            Comparator<String> order = Comparator.comparing((String t) -> results.get(new Job(t, rung)),
                    outcomeOrder(maximise));
            List<String> seen = new ArrayList<>();
            List<String> promoted = new ArrayList<>();
            boolean complete = true;
            for (String t : entrants.get(k)) {
                if (!results.containsKey(new Job(t, k))) {
                    complete = false;
                    break;
                }
                seen.add(t);
                while (promoted.size() < seen.size() / eta) {
                    Optional<String> next = best(seen, promoted, order, results, k);
                    if (next.isEmpty()) {
                        break;
                    }
                    promoted.add(next.get());
                }
            }
            if (closed && complete && promoted.isEmpty()) {
                best(seen, promoted, order, results, k).ifPresent(promoted::add);
            }
            closed = closed && complete;
            entrants.add(List.copyOf(promoted));
        }
        List<Job> runnable = new ArrayList<>();
        for (int k = entrants.size() - 1; k >= 0; k--) {
            for (String t : entrants.get(k)) {
                if (!results.containsKey(new Job(t, k))) {
                    runnable.add(new Job(t, k));
                }
            }
        }
        return new Plan(resources, List.copyOf(entrants), List.copyOf(runnable));
    }

    /** The best successful trial of {@code seen} not yet promoted (ties: the earlier entrant). */
    private static Optional<String> best(List<String> seen, List<String> promoted, Comparator<String> order,
                                         Map<Job, Outcome> results, int rung) {
        return seen.stream().filter(t -> !promoted.contains(t) && !results.get(new Job(t, rung)).failed())
                .min(order.thenComparing(seen::indexOf));
    }

    /** Successful before failed; then by metric (NaN last), ascending or descending. */
    static Comparator<Outcome> outcomeOrder(boolean maximise) {
        return (a, b) -> {
            boolean badA = a.failed() || Double.isNaN(a.metric());
            boolean badB = b.failed() || Double.isNaN(b.metric());
            if (badA || badB) {
                return Boolean.compare(badA, badB);
            }
            return maximise ? Double.compare(b.metric(), a.metric()) : Double.compare(a.metric(), b.metric());
        };
    }
}

package org.sparkdnn.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.report.RunData;

/**
 * The metrics a check can name, computed from what a run recorded; with several seeds, the mean over them (gradient
 * norms: the geometric mean, so that a norm of 0 in any seed gives 0).
 * <ul>
 *   <li>{@code gradientNorm.LAYER}: the layer's gradient norm at the first recorded step;</li>
 *   <li>{@code zeroGradientLayers}: how many layers had a gradient norm of exactly 0 at that step;
 *       {@code gradientGrowthLayers}: how many hidden layers had a larger one than the layer above them (the gradient
 *       grew on its way back), both non-zero;</li>
 *   <li>{@code activation.LAYER.STAT} / {@code activationEnd.LAYER.STAT}: STAT (mean, std, inputStd, zeroUnits) of
 *       the layer's output at the first / the last {@code activations} record (training.activationStatsEvery);</li>
 *   <li>{@code firstLoss}, {@code lastLoss}, {@code trainLoss@E}: the mean training loss of the first, the last and
 *       the E-th (1-based) epoch (a run that diverged ends with an infinite one);</li>
 *   <li>{@code epochsToLoss.X}: the first epoch whose training loss is ≤ X (infinite when none is: a check then uses
 *       what is known, a lower bound, where it decides the verdict soundly, else says "not computed");
 *       {@code epochsToFraction.F}: the first whose training loss is ≤ F × the first epoch's;</li>
 *   <li>{@code epochsToAccuracy.A} / {@code secondsToAccuracy.A}: the first epoch whose validation accuracy is ≥ A /
 *       the training seconds until its end (infinite when none is);</li>
 *   <li>{@code gradientDeviation.REF}: the largest difference, over the layers, between the mean over seeds of
 *       log10(layer's gradient norm / last hidden layer's) at the first recorded step and the reference REF's
 *       expectation (orders of magnitude; infinite when a norm is 0);</li>
 *   <li>{@code zeroUnitsEnd}: the fraction of hidden units (averaged over the hidden layers layerN; output left out) whose output
 *       is exactly 0 for every example of the sample at the last {@code activations} record (dead ReLUs);</li>
 *   <li>{@code accuracyGap}: the summary's train.accuracy − test.accuracy (the generalization gap);</li>
 *   <li>anything else: a path into the run's summary ({@code test.accuracy}, …).</li>
 * </ul>
 */
final class Metrics {
    /** What {@code training.activationStatsEvery} records of each layer. */
    static final List<String> STATS = List.of("mean", "std", "inputStd", "zeroUnits");

    private Metrics() {
    }

    /** Refuses a metric that names an unknown reference or a malformed number. */
    static void check(String at, String metric, Map<String, ExperimentSpec.Reference> references) {
        try {
            if (metric.startsWith("gradientDeviation.")) {
                String ref = metric.substring("gradientDeviation.".length());
                if (!references.containsKey(ref)) {
                    throw new ConfigException(at, "names no reference of this experiment (references: "
                            + references.keySet() + ")", metric);
                }
            } else if (metric.startsWith("epochsToLoss.") || metric.startsWith("epochsToFraction.")
                    || metric.startsWith("epochsToAccuracy.") || metric.startsWith("secondsToAccuracy.")) {
                if (!Double.isFinite(Double.parseDouble(metric.substring(metric.indexOf('.') + 1)))) {
                    throw new ConfigException(at, "must end with a finite number", metric);
                }
            } else if (metric.startsWith("trainLoss@")) {
                if (Integer.parseInt(metric.substring("trainLoss@".length())) < 1) {
                    throw new ConfigException(at, "must name an epoch >= 1", metric);
                }
            } else if ((metric.startsWith("activation.") || metric.startsWith("activationEnd."))
                    && (metric.split("\\.").length != 3
                    || !STATS.contains(metric.substring(metric.lastIndexOf('.') + 1)))) {
                throw new ConfigException(at, "must be activation.LAYER.STAT or activationEnd.LAYER.STAT (STAT: "
                        + String.join(", ", STATS) + ")", metric);
            }
        } catch (NumberFormatException e) {
            throw new ConfigException(at, "must end with a number", metric);
        }
    }

    /** The metric over the seeds' runs; NaN when a run did not record it. */
    static double value(List<RunData> seeds, String metric, Map<String, double[]> references) {
        if (metric.startsWith("gradientDeviation.")) {
            return deviation(relativeLogNorms(seeds), references.get(metric.substring("gradientDeviation.".length())));
        }
        if (metric.startsWith("gradientNorm.")) {
            double logSum = 0;
            for (RunData run : seeds) {
                logSum += Math.log(one(run, metric));
            }
            return Math.exp(logSum / seeds.size());
        }
        double sum = 0;
        for (RunData run : seeds) {
            sum += one(run, metric);
        }
        return sum / seeds.size();
    }

    /** Whether the metric counts epochs or seconds until a target, infinite when the run never reached it. */
    static boolean isTimeTo(String metric) {
        return metric.startsWith("epochsTo") || metric.startsWith("secondsTo");
    }

    /**
     * For a time-to metric ({@link #isTimeTo}), what is known of a run that never reached the target: a lower bound,
     * the epochs it trained + 1 (seconds: its training seconds); over seeds, the mean with that bound for every seed
     * that did not reach it. NaN when nothing was recorded.
     */
    static double lowerBound(List<RunData> seeds, String metric) {
        double sum = 0;
        for (RunData run : seeds) {
            double v = one(run, metric);
            if (Double.isInfinite(v)) {
                List<Map<String, Object>> epochs = run.ofType("epoch");
                v = metric.startsWith("epochsTo") ? epochs.size() + 1
                        : RunData.number(epochs.get(epochs.size() - 1), "trainSeconds");
            }
            sum += v;
        }
        return sum / seeds.size();
    }

    /** The metric of one run. */
    static double one(RunData run, String metric) {
        if (metric.startsWith("gradientNorm.")) {
            Map<String, Double> norms = firstNorms(run);
            return norms.getOrDefault(metric.substring("gradientNorm.".length()), Double.NaN);
        }
        if (metric.equals("zeroGradientLayers")) {
            Map<String, Double> norms = firstNorms(run);
            return norms.isEmpty() ? Double.NaN : norms.values().stream().filter(v -> v == 0.0).count();
        }
        if (metric.equals("gradientGrowthLayers")) {
            List<Double> hidden = new ArrayList<>(firstNorms(run).values());
            if (hidden.size() < 2) {
                return Double.NaN;
            }
            hidden.remove(hidden.size() - 1); // the output layer
            int growing = 0;
            for (int i = 0; i + 1 < hidden.size(); i++) {
                growing += hidden.get(i) > hidden.get(i + 1) && hidden.get(i + 1) > 0 ? 1 : 0;
            }
            return growing;
        }
        if (metric.startsWith("activation.") || metric.startsWith("activationEnd.")) {
            List<Map<String, Object>> records = run.ofType("activations");
            return records.isEmpty() ? Double.NaN
                    : RunData.number(records.get(metric.startsWith("activation.") ? 0 : records.size() - 1),
                            "layers." + metric.substring(metric.indexOf('.') + 1));
        }
        List<Double> losses = losses(run);
        switch (metric) {
            case "firstLoss":
                return losses.isEmpty() ? Double.NaN : losses.get(0);
            case "lastLoss":
                return losses.isEmpty() ? Double.NaN : losses.get(losses.size() - 1);
            default:
                break;
        }
        if (metric.startsWith("trainLoss@")) {
            int epoch = Integer.parseInt(metric.substring("trainLoss@".length()));
            return epoch >= 1 && epoch <= losses.size() ? losses.get(epoch - 1) : Double.NaN;
        }
        if (metric.startsWith("epochsToAccuracy.") || metric.startsWith("secondsToAccuracy.")) {
            double target = Double.parseDouble(metric.substring(metric.indexOf('.') + 1));
            for (Map<String, Object> e : run.ofType("epoch")) {
                double accuracy = RunData.number(e, "validation.accuracy");
                if (Double.isNaN(accuracy)) {
                    return Double.NaN; // no validation split: not computed, never "not reached"
                }
                if (accuracy >= target) {
                    return metric.startsWith("epochs") ? RunData.number(e, "epoch") : RunData.number(e, "trainSeconds");
                }
            }
            return run.ofType("epoch").isEmpty() ? Double.NaN : Double.POSITIVE_INFINITY;
        }
        if (metric.startsWith("epochsToLoss.") || metric.startsWith("epochsToFraction.")) {
            if (losses.isEmpty()) {
                return Double.NaN;
            }
            double x = Double.parseDouble(metric.substring(metric.indexOf('.') + 1));
            double bound = metric.startsWith("epochsToLoss.") ? x : x * losses.get(0);
            for (int e = 0; e < losses.size(); e++) {
                if (losses.get(e) <= bound) {
                    return e + 1;
                }
            }
            return Double.POSITIVE_INFINITY;
        }
        if (metric.equals("zeroUnitsEnd")) {
            List<Map<String, Object>> records = run.ofType("activations");
            if (records.isEmpty() || !(records.get(records.size() - 1).get("layers") instanceof Map<?, ?> layers)) {
                return Double.NaN;
            }
            // the hidden layers' outputs (layerN), not their parts (a SwiGLU's layerN_W, _V) or other vertices
            List<String> hidden = layers.keySet().stream().map(String::valueOf).filter(k -> k.matches("layer\\d+"))
                    .toList();
            double sum = 0;
            for (String layer : hidden) {
                sum += RunData.number(records.get(records.size() - 1), "layers." + layer + ".zeroUnits");
            }
            return hidden.isEmpty() ? Double.NaN : sum / hidden.size();
        }
        if (metric.equals("accuracyGap")) {
            return run.summary().map(s -> RunData.number(s, "train.accuracy") - RunData.number(s, "test.accuracy"))
                    .orElse(Double.NaN);
        }
        return run.summary().map(s -> RunData.number(s, metric)).orElse(Double.NaN);
    }

    /**
     * The training loss of every epoch, in order; a run that diverged (it stopped without a summary) ends with an
     * infinite one, so that its last loss is not the last finite one it recorded.
     */
    static List<Double> losses(RunData run) {
        List<Double> losses = new ArrayList<>();
        for (Map<String, Object> e : run.ofType("epoch")) {
            losses.add(RunData.number(e, "trainLoss"));
        }
        if (run.summary().isEmpty() && !losses.isEmpty()) {
            losses.add(Double.POSITIVE_INFINITY);
        }
        return losses;
    }

    /** The first recorded gradient norms, {layer: norm} in the network's order. */
    static Map<String, Double> firstNorms(RunData run) {
        Map<String, Double> norms = new LinkedHashMap<>();
        List<Map<String, Object>> records = run.ofType("gradientNorms");
        if (!records.isEmpty() && records.get(0).get("norms") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> norms.put(String.valueOf(k), v instanceof Number n ? n.doubleValue() : Double.NaN));
        }
        return norms;
    }

    /**
     * The mean over seeds of log10(norm / the last hidden layer's norm) of every hidden layer at the first recorded
     * step, in layer order (the output layer is left out); −∞ where a seed's norm is 0.
     */
    static double[] relativeLogNorms(List<RunData> seeds) {
        double[] sum = null;
        for (RunData run : seeds) {
            List<Double> hidden = new ArrayList<>(firstNorms(run).values());
            if (hidden.size() < 2) {
                return new double[0];
            }
            hidden.remove(hidden.size() - 1); // the output layer
            double top = hidden.get(hidden.size() - 1);
            if (sum == null) {
                sum = new double[hidden.size()];
            }
            for (int i = 0; i < sum.length; i++) {
                // a norm of 0 is −∞ orders below, a top of 0 +∞ above (so the deviation is infinite, not NaN)
                sum[i] += top == 0 ? (hidden.get(i) == 0 ? 0 : Double.POSITIVE_INFINITY)
                        : Math.log10(hidden.get(i) / top);
            }
        }
        double[] mean = new double[sum.length];
        for (int i = 0; i < sum.length; i++) {
            mean[i] = sum[i] / seeds.size();
        }
        return mean;
    }

    /** max |measured − expected| over the layers; NaN when the shapes differ. */
    static double deviation(double[] measured, double[] expected) {
        if (expected == null || measured.length != expected.length || measured.length == 0) {
            return Double.NaN;
        }
        double worst = 0;
        for (int i = 0; i < measured.length; i++) {
            worst = Math.max(worst, Math.abs(measured[i] - expected[i]));
        }
        return worst;
    }
}

package org.sparkdnn.sweep;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.MetricScope;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.SweepConfig;
import org.sparkdnn.io.Storage;

/**
 * A validated sweep: the sweep file bound and checked, its base run config loaded (a path is relative to the sweep
 * file) and valid, every space key a run-config key, and the metric one the base config records. Everything here
 * fails before any trial starts, with {@code file: yaml.path: rule, was value}.
 *
 * @param warmStart trial values to try first (an earlier sweep's best), before the search's draws
 * @param sha256    identifies the sweep for resuming: the sweep and base trees without {@code parallelTrials} and
 *                  {@code output} (those may change between attempts), and the warm-start values
 */
public record SweepSpec(String source, SweepConfig config, ObjectNode baseTree, RunConfig base,
                        List<Map<String, JsonNode>> warmStart, String sha256) {

    /** @param overrides {@code key=value} on the sweep file; {@code base.key=value} on the base run config */
    public static SweepSpec load(Storage storage, ConfigLoader loader, String uri, List<String> overrides) {
        List<String> sweepSets = new ArrayList<>();
        List<String> baseSets = new ArrayList<>();
        for (String o : overrides) {
            if (o.startsWith("base.")) {
                baseSets.add(o.substring("base.".length()));
            } else {
                sweepSets.add(o);
            }
        }
        ObjectNode tree = loader.tree(uri, read(storage, uri), sweepSets);
        SweepConfig config = loader.bind(uri, tree, SweepConfig.class);
        List<String> fileSets = new ArrayList<>();
        config.baseOverrides().forEach((key, value) -> fileSets.add(key + "=" + value));
        baseSets.addAll(0, fileSets);
        String baseSource;
        ObjectNode baseTree;
        if (config.base().isTextual()) {
            baseSource = relative(uri, config.base().asText());
            baseTree = loader.tree(baseSource, read(storage, baseSource), baseSets);
        } else {
            baseSource = uri + ": base";
            baseTree = loader.withOverrides(baseSource, (ObjectNode) config.base(), baseSets);
        }
        RunConfig base = loader.bind(baseSource, baseTree);
        checkSpaceKeys(uri, config, baseTree, loader);
        checkMetric(uri, config, base);
        SweepSpec spec = new SweepSpec(uri, config, baseTree, base, List.of(), sha256(loader, tree, baseTree,
                config.scheduler().scope(base.training().patience()), List.of()));
        spec.trials(); // the base trial's values, if asked for, before anything trains
        return spec;
    }

    /** The sweep file's tree as loaded (with --set applied), for {@link #warmStartedWith}. */
    public static ObjectNode sweepTree(Storage storage, ConfigLoader loader, String uri, List<String> overrides) {
        return loader.tree(uri, read(storage, uri), overrides.stream().filter(o -> !o.startsWith("base.")).toList());
    }

    /** This sweep with {@code values} tried first; each must give a value to exactly this sweep's space keys. */
    public SweepSpec warmStartedWith(List<Map<String, JsonNode>> values, ConfigLoader loader, ObjectNode sweepTree) {
        for (Map<String, JsonNode> v : values) {
            if (!v.keySet().equals(config.space().keySet())) {
                throw new ConfigException(source + ": --warm-start", "the earlier sweep's keys must be this sweep's "
                        + config.space().keySet(), v.keySet());
            }
        }
        return new SweepSpec(source, config, baseTree, base, List.copyOf(values), sha256(loader, sweepTree, baseTree,
                scope(), values));
    }

    /** The base's own values ({@code search.includeBase}), the warm-start trials, then the search's draws: t000, …. */
    public List<Trial> trials() {
        List<Trial> trials = new ArrayList<>();
        if (config.search().includeBase()) {
            trials.add(new Trial(Trial.id(0), baseValues()));
        }
        warmStart.forEach(v -> trials.add(new Trial(Trial.id(trials.size()), v)));
        for (Trial t : Search.trials(config.space(), config.search())) {
            trials.add(new Trial(Trial.id(trials.size()), t.params()));
        }
        return List.copyOf(trials);
    }

    /** The base run config's file (relative to the working directory), when the base is a path. */
    public Optional<String> baseFile() {
        return config.base().isTextual() ? Optional.of(relative(source, config.base().asText())) : Optional.empty();
    }

    /** The resolved base config's value of every space key (defaults included: {@code optimizer.weightDecay} 0). */
    Map<String, JsonNode> baseValues() {
        JsonNode resolved = new ConfigLoader().toTree(base);
        Map<String, JsonNode> values = new LinkedHashMap<>();
        for (String key : config.space().keySet()) {
            JsonNode node = resolved;
            for (String part : key.split("\\.")) {
                node = node.isArray() && part.matches("\\d+") ? node.path(Integer.parseInt(part)) : node.path(part);
            }
            if (node.isMissingNode() || node.isNull()) {
                throw new ConfigException(source + ": search.includeBase", "the base config has no value for space key "
                        + key + " (set it in the base or baseOverrides)", key);
            }
            values.put(key, node);
        }
        return values;
    }

    /** Which epoch of a trial the metric is read from (the scheduler's scope, resolved against the base). */
    public MetricScope scope() {
        return config.scheduler().scope(base.training().patience());
    }

    public int maxResource() {
        return config.scheduler().maxResource() != null ? config.scheduler().maxResource() : base.training().epochs();
    }

    private static void checkSpaceKeys(String uri, SweepConfig config, ObjectNode baseTree, ConfigLoader loader) {
        config.space().forEach((key, d) -> {
            try {
                String value = loader.json().writeValueAsString(d.example(com.fasterxml.jackson.databind.node
                        .JsonNodeFactory.instance));
                loader.bind(uri, loader.withOverrides(uri, baseTree, List.of(key + "=" + value)));
            } catch (ConfigException e) {
                if (e.rule().startsWith("unknown key") || e.path().contains("--set")) {
                    throw new ConfigException(uri + ": space." + key, "not a key of the base run config ("
                            + e.getMessage() + ")", key);
                }
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void checkMetric(String uri, SweepConfig config, RunConfig base) {
        String metric = config.scheduler().metric();
        int patience = base.training().patience();
        MetricScope scope = config.scheduler().scope(patience);
        if (scope == MetricScope.BEST && patience == 0) {
            throw new ConfigException(uri + ": scheduler.scope", "best reads the epoch early stopping keeps, and the "
                    + "base config has no training.patience (set it, e.g. in baseOverrides, or use scope: last)", "best");
        }
        boolean trialsStopEarly = patience > 0 || config.space().containsKey("training.patience");
        if (scope == MetricScope.LAST && trialsStopEarly && !metric.startsWith("validation.")) {
            throw new ConfigException(uri + ": scheduler.scope", "last with early stopping in the base or the space "
                    + "reads the last epoch's validation metrics only, and the metric is " + metric + " (use scope: "
                    + "best, or a validation.* metric)", "last");
        }
        boolean hasValidation = base.data().validationFile().isPresent() || base.data().validationFraction() > 0;
        if (scope == MetricScope.BEST && !hasValidation) {
            throw new ConfigException(uri + ": scheduler.scope", "best reads the epoch early stopping keeps, which "
                    + "needs a validation split in the base (data.validation or data.validationFraction)", "best");
        }
        boolean hasTest = base.data().testFile().isPresent() || base.data().testFraction() > 0;
        if ((metric.startsWith("validation.") && !hasValidation) || (metric.startsWith("test.") && !hasTest)) {
            throw new ConfigException(uri + ": scheduler.metric", "the base config has no such split (set "
                    + "data.validation/validationFraction or data.test/testFraction)", metric);
        }
        if (metric.endsWith("accuracy") && !base.model().loss().isClassification()) {
            throw new ConfigException(uri + ": scheduler.metric", "accuracy needs a classification loss", metric);
        }
        if (metric.endsWith("mse") && base.model().loss().isClassification()) {
            throw new ConfigException(uri + ": scheduler.metric", "mse needs a regression loss (l1, l2, mse)", metric);
        }
    }

    private static String read(Storage storage, String uri) {
        try {
            return storage.readString(uri);
        } catch (IOException e) {
            throw new ConfigException(uri, "cannot read the config file (" + e.getMessage() + ")", uri);
        }
    }

    /** {@code path} relative to the directory of {@code file}, unless it is absolute or a URI. */
    static String relative(String file, String path) {
        if (path.startsWith("/") || path.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
            return path;
        }
        int slash = file.lastIndexOf('/');
        return slash < 0 ? path : file.substring(0, slash + 1) + path;
    }

    private static String sha256(ConfigLoader loader, ObjectNode sweep, ObjectNode base, MetricScope scope,
                                 List<Map<String, JsonNode>> warmStart) {
        ObjectNode identity = sweep.deepCopy();
        identity.remove(List.of("parallelTrials", "output"));
        identity.set("base", base);
        identity.put("scope", scope.key()); // the default depends on the base: a changed meaning is another sweep
        identity.set("warmStart", loader.json().valueToTree(warmStart));
        try {
            byte[] bytes = loader.json().writeValueAsString(identity).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

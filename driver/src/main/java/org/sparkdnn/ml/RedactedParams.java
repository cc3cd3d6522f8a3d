package org.sparkdnn.ml;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.ml.param.StringArrayParam;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.Redaction;

/**
 * The estimator's params that may carry secrets (the config's YAML text, the {@code --set} overrides), saved by
 * Spark ML's writer with the secrets redacted ({@link Redaction}); the values the estimator trains with are the real
 * ones. A model saved this way and fitted again needs the secrets given again (the config says which).
 */
final class RedactedParams {
    private RedactedParams() {
    }

    /** The config's YAML text: saved with its secret settings replaced by the placeholder. */
    static Param<String> yaml(Params parent, String name, String doc) {
        return new Param<>(parent, name, doc) {
            private static final long serialVersionUID = 1L;

            @Override
            public String jsonEncode(String value) {
                return super.jsonEncode(redactYaml(value));
            }
        };
    }

    /** Overrides KEY=VALUE: saved with the values of secret ones replaced by the placeholder. */
    static StringArrayParam overrides(Params parent, String name, String doc) {
        return new StringArrayParam(parent, name, doc) {
            private static final long serialVersionUID = 1L;

            @Override
            public String jsonEncode(String[] value) {
                Redaction rule = Redaction.of(java.util.Map.of());
                return super.jsonEncode(Arrays.stream(value).map(rule::redactOverride).toArray(String[]::new));
            }
        };
    }

    static String redactYaml(String text) {
        ConfigLoader loader = new ConfigLoader();
        try {
            var tree = loader.tree("the estimator's config", text, List.of());
            return loader.yaml(Redaction.ofTree(tree).redact(tree));
        } catch (ConfigException e) {
            return "# not valid YAML, so not saved: it might hold a secret\n";
        }
    }
}

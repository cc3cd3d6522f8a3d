package org.sparkdnn.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Secrets kept out of what the trainer writes and shows (config.yaml, checkpoint manifests, reports, sweep winners,
 * saved Spark ML params), while the run itself uses the real values. Spark's own rule decides which settings are
 * secret: a key matching {@code spark.redaction.regex} (Spark's default {@code (?i)secret|password|token|access[.]key},
 * or the run's own value of it) — plus, always, Hadoop's credential keys ({@code fs.azure.account.key.*}, {@code
 * fs.gs.auth.service.account.private.key}, {@code *.credential*}, {@code *.signature*}, {@code *.passphrase}). The
 * value becomes Spark's own placeholder. A password in a URI's user info ({@code s3a://key:secret@bucket/…}) is
 * replaced wherever a string holds one.
 */
public final class Redaction {
    /** What Spark writes in place of a redacted value. */
    public static final String PLACEHOLDER = "*********(redacted)";
    static final String SPARK_DEFAULT = "(?i)secret|password|token|access[.]key";
    private static final Pattern HADOOP = Pattern.compile(
            "(?i)account[.]key|private[.]key|credential|signature|passphrase|auth[.]key|sas[.]token");
    private static final Pattern URI_PASSWORD = Pattern.compile("(://[^/@:\\s]+):[^/@\\s]+@");

    private final Pattern keys;

    private Redaction(Pattern keys) {
        this.keys = keys;
    }

    /** The rule for a run with these Spark settings ({@code spark.redaction.regex} among them, if set). */
    public static Redaction of(Map<String, String> spark) {
        String regex = spark.getOrDefault("spark.redaction.regex", SPARK_DEFAULT);
        return new Redaction(Pattern.compile(regex));
    }

    /** The rule for a config tree not yet bound (its {@code cluster.spark.spark.redaction.regex}, if set). */
    public static Redaction ofTree(JsonNode tree) {
        JsonNode regex = tree.path("cluster").path("spark").path("spark.redaction.regex");
        return new Redaction(Pattern.compile(regex.isTextual() ? regex.asText() : SPARK_DEFAULT));
    }

    /**
     * A {@code --set KEY=VALUE} override as it may be shown: the value replaced by the placeholder when the key or the
     * value's text names a secret setting (e.g. {@code cluster.spark={spark.authenticate.secret: …}}).
     */
    public String redactOverride(String override) {
        int eq = override.indexOf('=');
        if (eq > 0 && (secret(override.substring(0, eq)) || secret(override.substring(eq + 1)))) {
            return override.substring(0, eq + 1) + PLACEHOLDER;
        }
        return hideUriPasswords(override);
    }

    /** Whether the setting {@code key}'s value is secret. */
    public boolean secret(String key) {
        return keys.matcher(key).find() || HADOOP.matcher(key).find();
    }

    /**
     * A resolved config tree (as {@link ConfigLoader#toTree} makes it) with every secret Spark setting of {@code
     * cluster.spark} replaced by the placeholder and every URI password hidden; {@code tree} itself is not changed.
     */
    public JsonNode redact(JsonNode tree) {
        JsonNode copy = tree.deepCopy();
        JsonNode spark = copy.path("cluster").path("spark");
        if (spark instanceof ObjectNode settings) {
            List<String> names = new ArrayList<>();
            settings.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (secret(name) && !settings.get(name).isNull()) {
                    settings.put(name, PLACEHOLDER);
                }
            }
        }
        hideUriPasswords(copy);
        return copy;
    }

    /** {@code text} with the password of any URI in it replaced by the placeholder. */
    public static String hideUriPasswords(String text) {
        return URI_PASSWORD.matcher(text).replaceAll("$1:" + java.util.regex.Matcher.quoteReplacement(PLACEHOLDER)
                + "@");
    }

    private static void hideUriPasswords(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>();
            object.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode child = object.get(name);
                if (child.isTextual()) {
                    object.set(name, TextNode.valueOf(hideUriPasswords(child.asText())));
                } else {
                    hideUriPasswords(child);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode child = array.get(i);
                if (child.isTextual()) {
                    array.set(i, TextNode.valueOf(hideUriPasswords(child.asText())));
                } else {
                    hideUriPasswords(child);
                }
            }
        }
    }
}

package org.sparkdnn.config;

/**
 * An invalid configuration value. {@link #path()} is the dotted YAML path ({@code optimizer.learningRate}); records
 * throw it with their own field name and the loader prefixes the path of the record and the file name.
 */
public final class ConfigException extends IllegalArgumentException {
    private final String path;
    private final String rule;
    private final String value;

    public ConfigException(String path, String rule, Object value) {
        super(format(path, rule, value));
        this.path = path;
        this.rule = rule;
        this.value = String.valueOf(value);
    }

    private static String format(String path, String rule, Object value) {
        return (path.isEmpty() ? "" : path + ": ") + rule + ", was " + value;
    }

    public String path() {
        return path;
    }

    public String rule() {
        return rule;
    }

    public String value() {
        return value;
    }

    /** The same error with its path moved under {@code prefix} (the path of the enclosing record). */
    public ConfigException under(String prefix) {
        if (prefix.isEmpty()) {
            return this;
        }
        return new ConfigException(path.isEmpty() ? prefix : prefix + "." + path, rule, value);
    }
}

package org.sparkdnn.config;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Small validation helpers used by the config records' canonical constructors. */
final class Checks {
    private Checks() {
    }

    static <T> T orDefault(T value, T fallback) {
        return value == null ? fallback : value;
    }

    static <T> T orDefault(T value, Supplier<T> fallback) {
        return value == null ? fallback.get() : value;
    }

    static <T> List<T> listOrEmpty(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> mapOrEmpty(Map<K, V> value) {
        return value == null ? Map.of() : Map.copyOf(value);
    }

    static double positive(String field, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new ConfigException(field, "must be > 0", value);
        }
        return value;
    }

    static double nonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new ConfigException(field, "must be >= 0", value);
        }
        return value;
    }

    static int positive(String field, int value) {
        if (value <= 0) {
            throw new ConfigException(field, "must be > 0", value);
        }
        return value;
    }

    static int nonNegative(String field, int value) {
        if (value < 0) {
            throw new ConfigException(field, "must be >= 0", value);
        }
        return value;
    }

    static long nonNegative(String field, long value) {
        if (value < 0) {
            throw new ConfigException(field, "must be >= 0", value);
        }
        return value;
    }

    /** {@code 0 <= value < 1}. */
    static double fraction(String field, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new ConfigException(field, "must be in [0, 1)", value);
        }
        return value;
    }

    static String notBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(field, "must be set", value == null ? "missing" : "\"" + value + "\"");
        }
        return value;
    }
}

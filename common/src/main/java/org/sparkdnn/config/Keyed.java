package org.sparkdnn.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * An enum spelled in YAML as the camelCase of its constant ({@code LEAKY_RELU} is {@code leakyRelu}), matched
 * ignoring case, '-' and '_', plus optional aliases. {@link ConfigLoader} registers the (de)serializers.
 */
public interface Keyed {
    /** Implemented by every enum. */
    String name();

    /** The canonical YAML spelling. */
    default String key() {
        String[] words = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder sb = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            sb.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return sb.toString();
    }

    /** Other accepted spellings. */
    default List<String> aliases() {
        return List.of();
    }

    static <E extends Enum<E> & Keyed> E parse(Class<E> type, String text) {
        String wanted = normalize(text);
        for (E e : type.getEnumConstants()) {
            if (normalize(e.key()).equals(wanted) || e.aliases().stream().anyMatch(a -> normalize(a).equals(wanted))) {
                return e;
            }
        }
        String accepted = Arrays.stream(type.getEnumConstants()).map(Keyed::key)
                .collect(Collectors.joining(", ", "[", "]"));
        throw new ConfigException("", "must be one of " + accepted, text);
    }

    private static String normalize(String s) {
        return s == null ? "" : s.replace("_", "").replace("-", "").toLowerCase(Locale.ROOT);
    }
}

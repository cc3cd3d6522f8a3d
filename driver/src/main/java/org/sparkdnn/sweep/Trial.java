package org.sparkdnn.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One point of the search space: {@code t000}, {@code t001}, … in draw order, with its value for every space key.
 */
public record Trial(String id, Map<String, JsonNode> params) {
    public Trial {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    static String id(int index) {
        return String.format("t%03d", index);
    }
}

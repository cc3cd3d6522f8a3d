package org.sparkdnn.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * A 2-D size, {@code [height, width]} in YAML, or one number for a square ({@code kernel: 3} is {@code [3, 3]}): a
 * kernel, pooling window or stride.
 */
public record Window(int height, int width) {
    public Window {
        if (height <= 0 || width <= 0) {
            throw new ConfigException("", "must be > 0", "[" + height + ", " + width + "]");
        }
    }

    public static Window square(int size) {
        return new Window(size, size);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Window parse(Object value) {
        if (value instanceof Integer i) {
            return square(i);
        }
        if (value instanceof List<?> list && list.size() == 2 && list.get(0) instanceof Integer h
                && list.get(1) instanceof Integer w) {
            return new Window(h, w);
        }
        throw new ConfigException("", "must be a positive integer or [height, width]", value);
    }

    @JsonValue
    Object yaml() {
        return height == width ? (Object) height : List.of(height, width);
    }

    @Override
    public String toString() {
        return height == width ? String.valueOf(height) : height + "x" + width;
    }
}

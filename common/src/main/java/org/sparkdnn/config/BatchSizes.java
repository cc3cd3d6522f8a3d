package org.sparkdnn.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;

/**
 * {@code training.batchSize}: a positive number of rows, or {@code all} (full-batch gradient descent), held as
 * {@link #ALL} until the data is read.
 */
final class BatchSizes {
    /** {@code all}, before it is resolved to the training split's row count. */
    static final int ALL = 0;

    private BatchSizes() {
    }

    /** A positive integer or {@code all}. */
    static final class Reader extends JsonDeserializer<Integer> {
        @Override
        public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING && "all".equals(p.getText())) {
                return ALL;
            }
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() != JsonParser.NumberType.INT) {
                    throw new ConfigException("", "must be an integer within range", p.getText());
                }
                int size = p.getIntValue();
                if (size <= 0) {
                    throw new ConfigException("", "must be > 0", size);
                }
                return size;
            }
            throw new ConfigException("", "must be an integer > 0 or all", p.getText());
        }
    }

    /** {@code all} while unresolved, else the number. */
    static final class Writer extends JsonSerializer<Integer> {
        @Override
        public void serialize(Integer value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value == ALL) {
                gen.writeString("all");
            } else {
                gen.writeNumber(value);
            }
        }
    }
}

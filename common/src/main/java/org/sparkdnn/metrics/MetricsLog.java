package org.sparkdnn.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** metrics.jsonl: one JSON object per line, flushed as written so a crash leaves every finished record. */
public final class MetricsLog implements AutoCloseable {
    private final OutputStream out;
    private final ObjectMapper json;

    public MetricsLog(OutputStream out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    public void write(Map<String, Object> record) {
        try {
            out.write(json.writeValueAsString(record).getBytes(StandardCharsets.UTF_8));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics", e);
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

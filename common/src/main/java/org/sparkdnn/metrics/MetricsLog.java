package org.sparkdnn.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

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

    /**
     * The records of an earlier attempt's metrics.jsonl up to step {@code upToStep}, for a resumed run to carry over
     * (records after the checkpoint are replayed by the resumed run; a torn last line is dropped).
     */
    public static List<Map<String, Object>> carryOver(InputStream previous, long upToStep,
                                                                ObjectMapper json) throws IOException {
        List<Map<String, Object>> kept = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(previous, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            try {
                Map<String, Object> record = json.readValue(line, new TypeReference<>() {
                });
                Object step = record.get("step");
                if (step instanceof Number && ((Number) step).longValue() <= upToStep) {
                    kept.add(record);
                }
            } catch (JsonProcessingException e) {
                LoggerFactory.getLogger(MetricsLog.class).warn("dropping a torn metrics line (crash?): {}", line);
            }
        }
        return kept;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

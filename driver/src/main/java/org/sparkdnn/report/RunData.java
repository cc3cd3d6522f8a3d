package org.sparkdnn.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.io.Storage;

/**
 * A run's output directory as a report reads it: {@code metrics.jsonl} (required), {@code summary.json} (absent while
 * a run trains or after it failed), {@code config.yaml} and {@value RunImages#FILE} (image models). A torn last metrics line (a killed run) is skipped, and
 * NaN/Infinity in records (a diverged run) are read as such.
 *
 * @param name    a short label for legends (the directory's last path element)
 * @param records metrics.jsonl, in order
 */
public record RunData(String name, String dir, Optional<Map<String, Object>> summary, Optional<String> configYaml,
                      List<Map<String, Object>> records, Optional<Map<String, Object>> images) {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    public static RunData load(Storage storage, String dir) throws IOException {
        String base = dir.replaceAll("/+$", "");
        String metrics = base + "/metrics.jsonl";
        if (!storage.exists(metrics)) {
            throw new FileNotFoundException(base + ": not a run directory (no metrics.jsonl)");
        }
        List<Map<String, Object>> records = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(storage.open(metrics), StandardCharsets.UTF_8))) {
            int number = 0;
            int torn = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                number++;
                if (torn > 0) {
                    throw new IOException(metrics + ": line " + torn + " is not a JSON record");
                }
                try {
                    records.add(LENIENT.readValue(line, MAP));
                } catch (JsonProcessingException e) {
                    torn = number; // allowed only as the last line: a killed run's unfinished write
                }
            }
        }
        Optional<Map<String, Object>> summary = storage.exists(base + "/summary.json")
                ? Optional.of(LENIENT.readValue(storage.readString(base + "/summary.json"), MAP)) : Optional.empty();
        Optional<String> config = storage.exists(base + "/config.yaml")
                ? Optional.of(storage.readString(base + "/config.yaml")) : Optional.empty();
        Optional<Map<String, Object>> images = storage.exists(base + "/" + RunImages.FILE)
                ? Optional.of(LENIENT.readValue(storage.readString(base + "/" + RunImages.FILE), MAP)) : Optional.empty();
        String name = base.substring(base.lastIndexOf('/') + 1);
        return new RunData(name.isEmpty() ? base : name, base, summary, config, records, images);
    }

    /** The records of one type ("step", "epoch", "gradientNorms", …), in order. */
    public List<Map<String, Object>> ofType(String type) {
        return records.stream().filter(r -> type.equals(r.get("type"))).toList();
    }

    /** A number at a dotted path ("validation.accuracy"); NaN when absent. */
    public static double number(Map<String, Object> record, String path) {
        Object node = record;
        for (String key : path.split("\\.")) {
            if (!(node instanceof Map<?, ?> map)) {
                return Double.NaN;
            }
            node = map.get(key);
        }
        return node instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}

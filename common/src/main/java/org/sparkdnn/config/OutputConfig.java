package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.notBlank;
import static org.sparkdnn.config.Checks.orDefault;

/**
 * Where a run writes model.zip, metrics.jsonl and summary.json.
 *
 * @param dir output directory, a local path or Hadoop URI (default {@code runs/latest})
 */
public record OutputConfig(String dir) {
    public OutputConfig {
        dir = notBlank("dir", orDefault(dir, "runs/latest"));
    }

    public static OutputConfig defaults() {
        return new OutputConfig(null);
    }
}

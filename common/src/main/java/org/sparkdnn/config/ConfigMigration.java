package org.sparkdnn.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Keys that moved. A config a user writes with an old key is refused with the new key named
 * ({@link #movedTo}); a config this project wrote itself before the move (a checkpoint's resolved config) is carried
 * over to the new keys ({@link #migrate}), so old checkpoints still resume.
 */
public final class ConfigMigration {
    /** Old path → new path. */
    private static final Map<String, String> MOVED = new LinkedHashMap<>();

    static {
        MOVED.put("cluster.peerUpdate", "cluster.peer.update");
        MOVED.put("cluster.bucketMB", "cluster.peer.bucketMB");
        MOVED.put("cluster.overlap", "cluster.peer.overlap");
    }

    private ConfigMigration() {
    }

    /** Where the key at {@code path} ({@code cluster.overlap}) lives now, if it moved. */
    public static Optional<String> movedTo(String path) {
        return Optional.ofNullable(MOVED.get(path));
    }

    /** A copy of {@code config} (a whole run config's tree) with every moved key at its new path. */
    public static JsonNode migrate(JsonNode config) {
        if (!(config instanceof ObjectNode)) {
            return config;
        }
        ObjectNode copy = ((ObjectNode) config).deepCopy();
        for (Map.Entry<String, String> move : MOVED.entrySet()) {
            String[] from = move.getKey().split("\\.");
            String[] to = move.getValue().split("\\.");
            JsonNode parent = copy;
            for (int i = 0; i < from.length - 1 && parent != null; i++) {
                parent = parent.get(from[i]);
            }
            if (!(parent instanceof ObjectNode) || !parent.has(from[from.length - 1])) {
                continue;
            }
            JsonNode value = ((ObjectNode) parent).remove(from[from.length - 1]);
            ObjectNode target = copy;
            for (int i = 0; i < to.length - 1; i++) {
                JsonNode next = target.get(to[i]);
                target = next instanceof ObjectNode ? (ObjectNode) next : target.putObject(to[i]);
            }
            target.set(to[to.length - 1], value);
        }
        return copy;
    }
}

package org.sparkdnn.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.config.Scaling;
import org.sparkdnn.data.DataLoader;
import org.sparkdnn.data.Scaler;
import org.sparkdnn.io.Storage;

/**
 * A run's feature scaling as {@code scaler.json} in its output dir: what new inputs need before the network (predict,
 * evaluate --data, the Spark ML model). Written only when the run scaled.
 */
public final class RunScaler {
    public static final String FILE = "scaler.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunScaler() {
    }

    static void write(Storage storage, String runDir, Scaler scaler) throws IOException {
        if (!scaler.identity()) {
            storage.writeAtomically(runDir + "/" + FILE, JSON.writeValueAsBytes(Map.of("shift", scaler.shift(),
                    "scale", scaler.scale())));
        }
    }

    /** The run's scaler.json, if it has one. */
    public static Optional<Scaler> read(Storage storage, String runDir) throws IOException {
        String file = runDir + "/" + FILE;
        if (!storage.exists(file)) {
            return Optional.empty();
        }
        JsonNode s = JSON.readTree(storage.readString(file));
        return Optional.of(Scaler.of(JSON.treeToValue(s.get("shift"), float[].class),
                JSON.treeToValue(s.get("scale"), float[].class)));
    }

    /**
     * The scaling of the run in {@code runDir} with config {@code run}: empty when it scaled nothing; its scaler.json;
     * or, for runs from before scaler.json, refitted on its training data (saying so on {@code warnings}).
     */
    public static Optional<Scaler> of(Storage storage, String runDir, RunConfig run, PrintStream warnings)
            throws IOException {
        if (run.data().scaling() == Scaling.NONE) {
            return Optional.empty();
        }
        Optional<Scaler> saved = read(storage, runDir);
        if (saved.isPresent()) {
            return saved;
        }
        warnings.println("warning: " + runDir + " has no " + FILE + "; refitting the run's " + run.data().scaling()
                .key() + " scaling on its training data (" + run.data().train() + ")");
        return Optional.of(DataLoader.of(run, storage).load().scaler());
    }
}

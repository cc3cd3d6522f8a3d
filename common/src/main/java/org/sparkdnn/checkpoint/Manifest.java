package org.sparkdnn.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * What a checkpoint records besides the model.
 *
 * @param format         manifest format version
 * @param step           optimizer steps applied
 * @param epoch          the epoch (0-based) training continues in
 * @param batch          the next global batch of that epoch (the data cursor)
 * @param seed           the root seed (the batch sequence is a pure function of seed and epoch)
 * @param validationLoss validation loss at this point, if evaluated (for keep-best)
 * @param earlyStopping  early-stopping state: bestLoss, bestEpoch, sinceBest
 * @param config         the resolved run configuration
 * @param versions       java, spark, dl4j, project
 * @param data           fingerprint of the training split (examples, SHA-256), checked on resume
 * @param files          SHA-256 of every other file of the checkpoint
 */
public record Manifest(int format, long step, int epoch, int batch, long seed, Double validationLoss,
                       Map<String, Double> earlyStopping, JsonNode config, Map<String, String> versions,
                       Map<String, String> data, Map<String, String> files) {
    public static final int FORMAT = 1;

    /** The same manifest listing {@code checksums} as its files. */
    public Manifest withFiles(Map<String, String> checksums) {
        return new Manifest(format, step, epoch, batch, seed, validationLoss, earlyStopping, config, versions, data,
                checksums);
    }

    public Optional<Double> validation() {
        return Optional.ofNullable(validationLoss);
    }
}

package org.sparkdnn.checkpoint;

import java.util.Map;
import java.util.Optional;

/** A verified checkpoint: where it is, its manifest and the content of its files ({@code model.zip}, …). */
public record Checkpoint(String uri, Manifest manifest, Map<String, byte[]> files) {
    public byte[] model() {
        return files.get(CheckpointStore.MODEL);
    }

    public Optional<byte[]> file(String name) {
        return Optional.ofNullable(files.get(name));
    }
}

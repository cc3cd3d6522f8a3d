package org.sparkdnn.ml;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/** A class whose deserialization leaves a file behind, in whatever JVM deserializes it (a driver or an executor). */
public final class MarkerGadget implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String marker;

    public MarkerGadget(String marker) {
        this.marker = marker;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        Files.writeString(Path.of(marker), "deserialized in pid " + ProcessHandle.current().pid());
    }
}

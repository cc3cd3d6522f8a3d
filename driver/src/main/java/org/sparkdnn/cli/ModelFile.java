package org.sparkdnn.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.sparkdnn.io.Storage;
import org.sparkdnn.model.ModelZip;

/** A saved network (a run's model.zip) read for evaluate and compare; a file that is not one says so with its name. */
final class ModelFile {
    private ModelFile() {
    }

    static ComputationGraph load(Storage storage, String uri) throws IOException {
        if (!storage.exists(uri)) {
            throw new FileNotFoundException(uri + " (a model.zip of a run was expected)");
        }
        try (InputStream in = storage.openRaw(uri)) {
            return ModelZip.read(uri, in, false);
        }
    }
}

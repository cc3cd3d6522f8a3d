package org.sparkdnn.cli;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.io.Storage;
import org.sparkdnn.metrics.ParamsDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code compare A B}: max |a − b| and max |a − b| / max |a| over all parameters of two saved models. Exit 0 when
 * the models have the same parameter names and shapes, 1 otherwise.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare the parameters of two saved models (max abs diff, max rel diff).")
final class CompareCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "A", description = "First model.zip.")
    private String a;

    @Parameters(index = "1", paramLabel = "B", description = "Second model.zip.")
    private String b;

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        Map<String, INDArray> pa = load(storage, a).paramTable();
        Map<String, INDArray> pb = load(storage, b).paramTable();
        if (!pa.keySet().equals(pb.keySet())) {
            System.err.println("different parameters: " + a + " has " + pa.keySet() + ", " + b + " has " + pb.keySet());
            return 1;
        }
        for (String name : pa.keySet()) {
            if (!java.util.Arrays.equals(pa.get(name).shape(), pb.get(name).shape())) {
                System.err.println("different shapes of " + name + ": " + pa.get(name).shapeInfoToString()
                        + " vs " + pb.get(name).shapeInfoToString());
                return 1;
            }
        }
        ParamsDiff d = ParamsDiff.of(pa, pb);
        System.out.println("max abs diff: " + d.maxAbs());
        System.out.println("max rel diff: " + d.maxRel());
        return 0;
    }

    private static ComputationGraph load(Storage storage, String uri) throws java.io.IOException {
        try (InputStream in = storage.openRaw(uri)) {
            return ModelSerializer.restoreComputationGraph(in, false);
        }
    }
}

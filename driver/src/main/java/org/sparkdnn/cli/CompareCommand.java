package org.sparkdnn.cli;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.sparkdnn.io.Storage;
import org.sparkdnn.metrics.ParamsDiff;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code compare A B [--tolerance T]}: max |a − b| and max |a − b| / max |a| over all parameters of two saved models.
 * Exit 0 when they have the same parameter names and shapes and the max rel diff is at most the tolerance (default 0:
 * bitwise equal), 1 when they differ, another status (see {@link ExitStatus}) when a file cannot be read.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = "Compare the parameters of two saved models (max abs diff, max rel diff). Exit status 0: equal "
                + "within --tolerance; 1: different; 5: a file is missing or not a model.")
final class CompareCommand implements Callable<Integer> {
    @picocli.CommandLine.Option(names = "--tolerance", paramLabel = "T", defaultValue = "0",
            description = "Largest max rel diff that counts as equal (default: ${DEFAULT-VALUE}, bitwise).")
    private double tolerance;

    @Parameters(index = "0", paramLabel = "A", description = "First model.zip.")
    private String a;

    @Parameters(index = "1", paramLabel = "B", description = "Second model.zip.")
    private String b;

    @Override
    public Integer call() throws Exception {
        Storage storage = Storage.withDefaults();
        Map<String, INDArray> pa = ModelFile.load(storage, a).paramTable();
        Map<String, INDArray> pb = ModelFile.load(storage, b).paramTable();
        if (!pa.keySet().equals(pb.keySet())) {
            System.err.println("different parameters: " + a + " has " + pa.keySet() + ", " + b + " has " + pb.keySet());
            return ExitStatus.DIFFERENT;
        }
        for (String name : pa.keySet()) {
            if (!Arrays.equals(pa.get(name).shape(), pb.get(name).shape())) {
                System.err.println("different shapes of " + name + ": " + pa.get(name).shapeInfoToString()
                        + " vs " + pb.get(name).shapeInfoToString());
                return ExitStatus.DIFFERENT;
            }
        }
        ParamsDiff d = ParamsDiff.of(pa, pb);
        System.out.println("max abs diff: " + d.maxAbs());
        System.out.println("max rel diff: " + d.maxRel());
        return d.maxRel() <= tolerance && (tolerance > 0 || d.maxAbs() == 0) ? ExitStatus.OK : ExitStatus.DIFFERENT;
    }
}

package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.ConfigLoader;
import org.sparkdnn.config.RunConfig;
import org.sparkdnn.io.Storage;

/**
 * The conv and pooling layers routed to libnd4j's ops ({@link NativeConv}) compute DL4J's own im2col path's
 * gradients: within 1e-10 in double (libnd4j's generic kernels; oneDNN has no double), and in float within the
 * rounding of oneDNN's other summation order — deterministic run to run. The tests run with the {@code -onednn} build
 * (pom.xml's nd4j.platform.options), so the helpers are installed on float networks.
 */
class NativeConvTest {
    private static final String LENET = "{dataType: %s, layers: [{type: conv2d, filters: 6, kernel: 5, padding: same},"
            + " {type: maxPool}, {type: conv2d, filters: 8, kernel: 3}, {type: avgPool, padding: same},"
            + " {type: dense, units: 12}]}";

    private static ComputationGraph build(String type) {
        RunConfig config = new ConfigLoader().parse("test.yaml", "model: " + String.format(LENET, type)
                + "\ndata: {train: 'embedded:digits'}\n", List.of());
        return new ModelFactory(config.model(), config.optimizer(), 3, 100)
                .build(new IoShape(256, 10, List.of(1, 16, 16)), Storage.withDefaults());
    }

    private static double[] gradient(ComputationGraph net, long seed) {
        Nd4j.getRandom().setSeed(seed);
        DataType type = net.params().dataType();
        INDArray x = Nd4j.rand(type, 32, 256);
        INDArray y = Nd4j.eye(10).castTo(type).repeat(0, 4).getRows(java.util.stream.IntStream.range(0, 32).toArray());
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        return net.gradient().gradient().dup().data().asDouble();
    }

    /** max |a − b| ≤ relative · max |a|, printed. */
    private static void assertWithin(double relative, String type, double[] a, double[] b) {
        double scale = 0;
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            scale = Math.max(scale, Math.abs(a[i]));
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        System.out.printf("native conv, %s: max |Δgradient| %.3e of max |gradient| %.3e%n", type, worst, scale);
        assertTrue(worst <= relative * scale, "max abs diff " + worst + " of " + scale);
    }

    private static Object helperOf(ComputationGraph net) {
        return ((ConvolutionLayer) net.getLayer("layer0")).getHelper();
    }

    @Test
    void theOneDnnBuildIsLoadedAndFloatNetworksGetTheHelpers() {
        assertTrue(NativeConv.available(), "the tests run libnd4j's -onednn build (nd4j.platform.options)");
        assertNotNull(helperOf(build("float")), "a float network's conv layers run libnd4j's ops");
        assertEquals(null, helperOf(build("double")), "a double network keeps DL4J's own path");
    }

    @Test
    void inDoubleTheOpsGiveDl4jsGradientsWithin1e10() {
        ComputationGraph dl4j = build("double");
        ComputationGraph ops = build("double");
        assertEquals(4, NativeConv.install(ops, DataType.DOUBLE), "two conv and two pooling layers");
        assertWithin(1e-10, "double", gradient(dl4j, 1), gradient(ops, 1));
    }

    @Test
    void inFloatOneDnnDiffersOnlyByRoundingAndIsDeterministic() {
        ComputationGraph dl4j = build("float");
        NativeConv.uninstall(dl4j);
        ComputationGraph ops = build("float");
        double[] b = gradient(ops, 2);
        assertWithin(1e-5, "float", gradient(dl4j, 2), b);
        assertArrayEquals(b, gradient(build("float"), 2), 0, "oneDNN gives the same gradient run to run");
    }
}

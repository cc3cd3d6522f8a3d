package org.sparkdnn.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The hooks that let the peer exchange overlap computation ({@code cluster.peer.overlap}): a {@link HookedGraph} computes
 * DL4J's gradient bitwise; during its backward pass it reports the gradient's final suffix layer by layer, last layer
 * first, and at each report that suffix already holds its final values; its forward pass waits for its layers'
 * parameters, and an exchange failure ends the wait.
 */
class HookedGraphTest {
    private static ComputationGraphConfiguration conf() {
        return new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE).updater(new Adam(0.01))
                .graphBuilder().addInputs("in")
                .addLayer("h1", new DenseLayer.Builder().nIn(6).nOut(7).activation(Activation.TANH).build(), "in")
                .addLayer("h2", new DenseLayer.Builder().nIn(7).nOut(5).activation(Activation.RELU).build(), "h1")
                .addLayer("h3", new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.ELU).build(), "h2")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "h3")
                .setOutputs("out").build();
    }

    private static void gradient(ComputationGraph net, INDArray x, INDArray y) {
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore(LayerWorkspaceMgr.noWorkspaces());
    }

    @Test
    void theBackwardPassReportsFinalGradientSuffixesLastLayerFirstAndTheGradientIsDl4js() {
        ComputationGraph plain = new ComputationGraph(conf());
        plain.init();
        HookedGraph hooked = new HookedGraph(conf());
        hooked.init();
        hooked.setParams(plain.params());
        long n = plain.numParams();
        assertTrue(hooked.everyLayerHooked());
        long[] starts = hooked.layerStarts();
        assertEquals(4, starts.length);
        assertEquals(0, starts[0]);

        ExchangeProgress progress = new ExchangeProgress(n, starts, 10_000);
        List<Long> froms = new ArrayList<>();
        List<INDArray> suffixes = new ArrayList<>();
        progress.onFinal = from -> {
            froms.add(from);
            // the backward pass runs inside DL4J's workspaces: the copy must live outside them
            try (org.nd4j.linalg.api.memory.MemoryWorkspace none =
                         Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                suffixes.add(hooked.getFlattenedGradients().reshape(n).get(NDArrayIndex.interval(from, n)).dup());
            }
        };
        hooked.progress(progress);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 9, 6);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 9, 3);
        for (int i = 0; i < 9; i++) {
            y.putScalar(i, i % 3, 1.0);
        }
        for (int step = 0; step < 2; step++) { // the second pass overwrites the first's gradient
            froms.clear();
            suffixes.clear();
            progress.beginBackward();
            gradient(plain, x.muli(1.5), y);
            gradient(hooked, x, y);
            INDArray whole = hooked.getFlattenedGradients().reshape(n);
            assertArrayEquals(plain.getFlattenedGradients().data().asBytes(), whole.dup().data().asBytes());
            assertEquals(List.of(starts[3], starts[2], starts[1], 0L), froms, "the last layer first, one by one");
            for (int i = 0; i < froms.size(); i++) {
                assertArrayEquals(whole.get(NDArrayIndex.interval(froms.get(i), n)).dup().data().asBytes(),
                        suffixes.get(i).data().asBytes(), "the suffix from " + froms.get(i) + " was final");
            }
        }
    }

    @Test
    void theForwardPassWaitsForItsParametersAndAFailureEndsTheWait() throws Exception {
        HookedGraph hooked = new HookedGraph(conf());
        hooked.init();
        long n = hooked.numParams();
        long[] starts = hooked.layerStarts();
        ExchangeProgress progress = new ExchangeProgress(n, starts, 10_000);
        hooked.progress(progress);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, 6);
        INDArray y = Nd4j.zeros(DataType.DOUBLE, 4, 3);
        y.getColumn(0).assign(1);

        progress.beginGather();
        progress.beginBackward();
        CompletableFuture<Void> step = CompletableFuture.runAsync(() -> gradient(hooked, x, y));
        progress.gatheredTo(starts[2]); // h1 and h2's parameters: h3 must wait
        TimeUnit.MILLISECONDS.sleep(300);
        assertFalse(step.isDone(), "h3's forward pass ran before its parameters were gathered");
        progress.gatheredTo(n);
        step.get(30, TimeUnit.SECONDS);
        assertTrue(progress.takeGatherWaitNanos() > 0);

        progress.beginGather();
        CompletableFuture<Void> failing = CompletableFuture.runAsync(() -> gradient(hooked, x, y));
        progress.fail(new IOException("worker 1 was lost"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(30, TimeUnit.SECONDS));
        assertInstanceOf(UncheckedIOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("worker 1 was lost"), e.getCause().getMessage());
    }
}

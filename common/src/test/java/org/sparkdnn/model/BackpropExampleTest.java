package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.NumericType;

/**
 * The worked backprop example of lecture 000 ("Example", a 2-layer width-2 ReLU net), reproduced with DL4J.
 *
 * <p>Network (no biases): h1 = [w11·x]₊, h2 = [w12·x]₊, z = w21·h1 + w22·h2, loss ℓ = ½(y − z)², with the lecture's
 * weights w11 = 2, w12 = −1, w21 = 1, w22 = 3 and the example x = 1, y = 1.
 *
 * <p>By hand. Forward: u1 = w11·x = 2, h1 = 2; u2 = w12·x = −1, h2 = 0; z = 1·2 + 3·0 = 2; ℓ = ½(2 − 1)² = ½.
 * Backward: ∂ℓ/∂z = z − y = 1.
 * <ul>
 *   <li>∂ℓ/∂w21 = ∂ℓ/∂z · h1 = 1·2 = 2; ∂ℓ/∂w22 = ∂ℓ/∂z · h2 = 1·0 = 0.</li>
 *   <li>∂ℓ/∂h1 = w21 = 1; ∂ℓ/∂h2 = w22 = 3.</li>
 *   <li>∂ℓ/∂u1 = ∂ℓ/∂h1 · S(u1) = 1·1 = 1 (S is ReLU's derivative, 1 for u ≥ 0); ∂ℓ/∂u2 = 3·S(−1) = 0.</li>
 *   <li>∂ℓ/∂w11 = ∂ℓ/∂u1 · x = 1; ∂ℓ/∂w12 = ∂ℓ/∂u2 · x = 0.</li>
 *   <li>∂ℓ/∂x = ∂ℓ/∂u1 · w11 + ∂ℓ/∂u2 · w12 = 1·2 + 0·(−1) = 2.</li>
 * </ul>
 *
 * <p>Our {@code l2} loss is DL4J's {@code LossL2}, (y − z)² without the lecture's ½, so every DL4J derivative (and the
 * loss itself) is exactly twice the lecture's: ∂/∂z (y − z)² = 2(z − y) = 2·(lecture's z − y).
 */
class BackpropExampleTest {
    private static final double X = 1;
    private static final double Y = 1;
    /** The lecture's derivatives, in the order w11, w12, w21, w22, x. */
    private static final double[] LECTURE = {1, 0, 2, 0, 2};
    private static final double LECTURE_LOSS = 0.5;
    /** (y − z)² = 2 · ½(y − z)². */
    private static final double L2_OVER_LECTURE = 2;

    private ComputationGraph net;

    @BeforeEach
    void buildLectureNetwork() {
        ModelConfig model = new ModelConfig(NumericType.DOUBLE, List.of(LayerConfig.dense(2, Activation.RELU)),
                Activation.RELU, null, null, null, null, false, Loss.L2, null, null, null, null, null);
        net = TestModels.build(model, TestModels.sgd(0.1), TestModels.SEED, new IoShape(1, 1));
        net.getParam("layer0_W").assign(Nd4j.create(new double[][] {{2, -1}}));  // [w11, w12], nIn × nOut
        net.getParam("output_W").assign(Nd4j.create(new double[][] {{1}, {3}}));  // [w21; w22]
    }

    @Test
    void networkHasExactlyTheLecturesFourWeightsAndNoBiases() {
        assertEquals(4, net.numParams());
        assertEquals(List.of("layer0_W", "output_W"), List.copyOf(net.paramTable().keySet()));
    }

    @Test
    void forwardPassGivesTheLecturesPredictionAndTwiceItsLoss() {
        INDArray x = Nd4j.create(new double[][] {{X}});
        assertEquals(2.0, net.outputSingle(x).getDouble(0), 0.0);
        double l2 = net.score(new DataSet(x, Nd4j.create(new double[][] {{Y}})));
        assertEquals(L2_OVER_LECTURE * LECTURE_LOSS, l2, 1e-15);
    }

    @Test
    void dl4jWeightAndInputGradientsAreTwiceTheLecturesHandComputedOnes() {
        INDArray x = Nd4j.create(new double[][] {{X}});
        INDArray y = Nd4j.create(new double[][] {{Y}});
        net.setInputs(x);
        net.setLabels(y);
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        INDArray w1 = g.getGradientFor("layer0_W");
        INDArray w2 = g.getGradientFor("output_W");
        double[] dl4j = {w1.getDouble(0, 0), w1.getDouble(0, 1), w2.getDouble(0, 0), w2.getDouble(1, 0),
                inputGradient(x, y)};

        double[] lectureTimesTwo = new double[LECTURE.length];
        for (int i = 0; i < LECTURE.length; i++) {
            lectureTimesTwo[i] = L2_OVER_LECTURE * LECTURE[i];
        }
        assertArrayEquals(lectureTimesTwo, dl4j, 1e-15, "dl4j = 2 × lecture for [w11, w12, w21, w22, x]");
        assertArrayEquals(LECTURE, halve(dl4j), 1e-15, "halving DL4J's l2 gradient gives the lecture's");
    }

    /**
     * ∂loss/∂x through DL4J's layer backprop API. The graph back-propagates into its input vertex too but clears
     * every vertex's epsilon before {@code computeGradientAndScore} returns, so the chain is run layer by layer:
     * the output layer's epsilon is ∂loss/∂h, the hidden layer's is ∂loss/∂x.
     */
    private double inputGradient(INDArray x, INDArray y) {
        LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
        Layer hidden = net.getLayer("layer0");
        Layer output = net.getLayer(ModelFactory.OUTPUT);
        hidden.setInput(x, mgr);
        output.setInput(hidden.activate(true, mgr), mgr);
        ((IOutputLayer) output).setLabels(y);
        INDArray dLdH = output.backpropGradient(null, mgr).getSecond();
        assertArrayEquals(new double[] {2 * 1, 2 * 3}, dLdH.toDoubleVector(), 1e-15, "∂loss/∂h = 2·(z−y)·[w21, w22]");
        return hidden.backpropGradient(dLdH, mgr).getSecond().getDouble(0, 0);
    }

    @Test
    void inputGradientAgreesWithAFiniteDifferenceOfTheLoss() {
        double h = 1e-6;
        double plus = scoreAt(X + h);
        double minus = scoreAt(X - h);
        assertEquals(L2_OVER_LECTURE * LECTURE[4], (plus - minus) / (2 * h), 1e-8);
    }

    private double scoreAt(double x) {
        return net.score(new DataSet(Nd4j.create(new double[][] {{x}}), Nd4j.create(new double[][] {{Y}})));
    }

    private static double[] halve(double[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i] / 2;
        }
        return out;
    }
}

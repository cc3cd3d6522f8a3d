package org.sparkdnn.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Our logit losses against the textbook formulas evaluated with plain Java doubles. */
class LogitLossTest {
    private static final IActivation IDENTITY = new ActivationIdentity();
    private static final double[][] LOGITS = {{1.5, -0.3, 0.2}, {-2.0, 0.0, 4.0}, {1000.0, 999.0, -1000.0}};
    private static final int[] CLASSES = {0, 2, 1};

    @Test
    void softmaxCrossEntropyIsMinusLogSoftmaxOfTheTrueClassAndStableForHugeLogits() {
        double[] scores = scores(new LossSoftmaxCrossEntropy(), LOGITS, oneHot(CLASSES, 3));
        for (int i = 0; i < LOGITS.length; i++) {
            assertEquals(-logSoftmax(LOGITS[i])[CLASSES[i]], scores[i], 1e-12, "example " + i);
        }
        assertEquals(1.0 + Math.log1p(Math.exp(-1.0) + Math.exp(-2000.0)), scores[2], 1e-12,
                "logits ±1000 give a finite loss");
    }

    @Test
    void softmaxCrossEntropyGradientIsSoftmaxMinusOneHot() {
        double[][] y = oneHot(CLASSES, 3);
        INDArray grad = new LossSoftmaxCrossEntropy().computeGradient(arr(y), arr(LOGITS), IDENTITY, null);
        for (int i = 0; i < LOGITS.length; i++) {
            double[] p = softmax(LOGITS[i]);
            for (int j = 0; j < 3; j++) {
                assertEquals(p[j] - y[i][j], grad.getDouble(i, j), 1e-12, "example " + i + ", class " + j);
            }
        }
    }

    @Test
    void bceWithLogitsEqualsTheSigmoidFormulaForModerateLogits() {
        double[][] z = {{0.3, -1.7}, {2.5, 0.0}};
        double[][] y = {{1, 0}, {0, 1}};
        double[] scores = scores(new LossBceWithLogits(), z, y);
        for (int i = 0; i < z.length; i++) {
            double expected = 0;
            for (int j = 0; j < z[i].length; j++) {
                double s = sigmoid(z[i][j]);
                expected += -y[i][j] * Math.log(s) - (1 - y[i][j]) * Math.log(1 - s);
            }
            assertEquals(expected, scores[i], 1e-12, "example " + i + ": summed over outputs");
        }
    }

    @Test
    void bceWithLogitsIsFiniteAndExactForLogitsOfPlusMinusOneHundred() {
        double[][] z = {{100}, {-100}, {100}, {-100}};
        double[][] y = {{1}, {1}, {0}, {0}};
        double[] scores = scores(new LossBceWithLogits(), z, y);
        double tiny = Math.log1p(Math.exp(-100)); // -log σ(100): underflows to 0 with 1 − σ in doubles
        assertArrayEquals(new double[] {tiny, 100 + tiny, 100 + tiny, tiny}, scores, 1e-12);
        for (double s : scores) {
            assertTrue(Double.isFinite(s), "finite loss, was " + s);
        }
        INDArray grad = new LossBceWithLogits().computeGradient(arr(y), arr(z), IDENTITY, null);
        assertArrayEquals(new double[] {sigmoid(100) - 1, sigmoid(-100) - 1, sigmoid(100), sigmoid(-100)},
                grad.toDoubleVector(), 1e-15, "∂ℓ/∂z = σ(z) − y");
    }

    @Test
    void scoreIsTheSumOverExamplesOrItsMeanWhenAveraged() {
        LossSoftmaxCrossEntropy loss = new LossSoftmaxCrossEntropy();
        double[] perExample = scores(loss, LOGITS, oneHot(CLASSES, 3));
        double sum = perExample[0] + perExample[1] + perExample[2];
        INDArray y = arr(oneHot(CLASSES, 3));
        assertEquals(sum, loss.computeScore(y, arr(LOGITS), IDENTITY, null, false), 1e-12);
        assertEquals(sum / 3, loss.computeScore(y, arr(LOGITS), IDENTITY, null, true), 1e-12);
    }

    @Test
    void aPerExampleMaskZeroesTheMaskedExamplesScoreAndGradient() {
        LossBceWithLogits loss = new LossBceWithLogits();
        double[][] z = {{0.3, -1.7}, {2.5, 0.0}};
        double[][] y = {{1, 0}, {0, 1}};
        INDArray mask = Nd4j.create(new double[][] {{1}, {0}});
        INDArray scores = loss.computeScoreArray(arr(y), arr(z), IDENTITY, mask);
        assertEquals(scores(loss, z, y)[0], scores.getDouble(0), 1e-15);
        assertEquals(0.0, scores.getDouble(1), 0.0);
        INDArray grad = loss.computeGradient(arr(y), arr(z), IDENTITY, mask);
        assertArrayEquals(new double[] {0, 0}, grad.getRow(1).toDoubleVector(), 0.0);
        assertEquals(sigmoid(0.3) - 1, grad.getDouble(0, 0), 1e-15);
    }

    @Test
    void lossesAreEqualByTypeAndNamedInToString() {
        assertEquals(new LossBceWithLogits(), new LossBceWithLogits());
        assertEquals(new LossSoftmaxCrossEntropy().hashCode(), new LossSoftmaxCrossEntropy().hashCode());
        assertTrue(!new LossBceWithLogits().equals(new LossSoftmaxCrossEntropy()));
        assertEquals("softmaxCrossEntropy()", new LossSoftmaxCrossEntropy().toString());
        assertEquals("bceWithLogits()", new LossBceWithLogits().toString());
    }

    private static double[] scores(LogitLoss loss, double[][] logits, double[][] labels) {
        return loss.computeScoreArray(arr(labels), arr(logits), IDENTITY, null).toDoubleVector();
    }

    private static INDArray arr(double[][] values) {
        return Nd4j.create(values).castTo(DataType.DOUBLE);
    }

    private static double[][] oneHot(int[] classes, int n) {
        double[][] y = new double[classes.length][n];
        for (int i = 0; i < classes.length; i++) {
            y[i][classes[i]] = 1;
        }
        return y;
    }

    private static double[] logSoftmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (double v : z) {
            sum += Math.exp(v - max);
        }
        double lse = max + Math.log(sum);
        double[] out = new double[z.length];
        for (int j = 0; j < z.length; j++) {
            out[j] = z[j] - lse;
        }
        return out;
    }

    private static double[] softmax(double[] z) {
        double[] out = logSoftmax(z);
        for (int j = 0; j < out.length; j++) {
            out[j] = Math.exp(out[j]);
        }
        return out;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }
}

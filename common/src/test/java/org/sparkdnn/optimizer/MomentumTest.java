package org.sparkdnn.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.OptimizerType;
import org.sparkdnn.model.IoShape;
import org.sparkdnn.model.TestModels;

/** Classic momentum, v ← μ·v + g; w ← w − η·v, as a bare updater and inside DL4J's {@code fit}. */
class MomentumTest {
    private static final double LR = 0.1;
    private static final double MU = 0.9;
    private static final IoShape SHAPE = new IoShape(3, 2);

    @Test
    void updaterReturnsLearningRateTimesVelocityAndKeepsVelocityInTheStateView() {
        INDArray state = Nd4j.zeros(DataType.DOUBLE, 1, 3);
        GradientUpdater<?> updater = new Momentum(new FixedSchedule(LR), MU).instantiate(state, true);
        double[][] gradients = {{1, -2, 0.5}, {0.5, 1, -1}, {-3, 0, 2}};
        double[] v = new double[3];
        for (int t = 0; t < gradients.length; t++) {
            INDArray g = Nd4j.create(new double[][] {gradients[t]});
            updater.applyUpdater(g, t, 0);
            double[] expectedUpdate = new double[3];
            for (int j = 0; j < 3; j++) {
                v[j] = MU * v[j] + gradients[t][j];
                expectedUpdate[j] = LR * v[j];
            }
            assertArrayEquals(expectedUpdate, g.toDoubleVector(), 1e-15, "update at step " + t);
            assertArrayEquals(v, state.toDoubleVector(), 1e-15, "velocity stored in the state view at step " + t);
        }
    }

    @Test
    void updaterUsesTheScheduledLearningRateOfEachIteration() {
        CosineSchedule cosine = new CosineSchedule(LR, 0.0, 4);
        GradientUpdater<?> updater = new Momentum(cosine, 0.0).instantiate(Nd4j.zeros(DataType.DOUBLE, 1, 1), true);
        for (int t = 0; t <= 4; t++) {
            INDArray g = Nd4j.ones(DataType.DOUBLE, 1, 1);
            updater.applyUpdater(g, t, 0);
            assertEquals(cosine.valueAt(t, 0), g.getDouble(0), 1e-15, "η at step " + t);
        }
    }

    @Test
    void stateMapRoundTripsAndRejectsForeignKeys() {
        Momentum m = new Momentum(new FixedSchedule(LR), MU);
        INDArray v = Nd4j.create(new double[][] {{1, 2}});
        GradientUpdater<?> updater = m.instantiate(Map.of("V", v), false);
        assertEquals(Map.of("V", v), updater.getState());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> m.instantiate(Map.of("M", v), false));
        assertEquals("momentum state must hold exactly the key V, was [M]", e.getMessage());
    }

    @Test
    void fitFollowsTheHandRolledMomentumRecursionOnDl4jGradients() {
        ModelConfig model = TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.TANH,
                List.of(LayerConfig.dense(4, Activation.TANH)));
        OptimizerConfig momentum = new OptimizerConfig(OptimizerType.MOMENTUM, LR, MU, null, null, null, null, null,
                null, null, null);
        ComputationGraph trained = TestModels.build(model, momentum, TestModels.SEED, SHAPE);
        ComputationGraph oracle = TestModels.build(model, momentum, TestModels.SEED, SHAPE);
        assertInstanceOf(Momentum.class, trained.getLayer("layer0").conf().getLayer().getUpdaterByParam("W"));
        DataSet batch = TestModels.classification(6, SHAPE, 3);

        INDArray w = oracle.params().dup();
        INDArray v = Nd4j.zerosLike(w);
        for (int step = 0; step < 4; step++) {
            oracle.setParams(w);
            oracle.setInputs(batch.getFeatures());
            oracle.setLabels(batch.getLabels());
            oracle.computeGradientAndScore();
            // DL4J's gradient is the sum over the batch; its updater divides by the batch size first.
            INDArray g = oracle.getFlattenedGradients().reshape(w.shape()).div(batch.numExamples());
            v.muli(MU).addi(g);
            w.subi(v.mul(LR));

            trained.fit(batch);
            assertArrayEquals(w.toDoubleVector(), trained.params().toDoubleVector(), 1e-12,
                    "params after step " + step);
        }
        assertNotEquals(0.0, v.norm2Number().doubleValue(), "the velocity is not trivially zero");
    }

    @Test
    void configsAreEqualByMomentumAndScheduleAndCloneIsEqual() {
        Momentum m = new Momentum(new CosineSchedule(0.1, 0.001, 50), 0.9);
        assertEquals(m, m.clone());
        assertEquals(m.hashCode(), m.clone().hashCode());
        assertNotEquals(m, new Momentum(new CosineSchedule(0.1, 0.001, 50), 0.8));
        assertNotEquals(m, new Momentum(new CosineSchedule(0.1, 0.002, 50), 0.9));
        assertEquals(3, m.stateSize(3));
    }
}

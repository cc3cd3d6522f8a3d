package org.sparkdnn.optimizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.sparkdnn.model.TestModels.values;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.AdaGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.RmsProp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.FixedSchedule;
import org.sparkdnn.config.Activation;
import org.sparkdnn.config.LayerConfig;
import org.sparkdnn.config.Loss;
import org.sparkdnn.config.ModelConfig;
import org.sparkdnn.config.OptimizerConfig;
import org.sparkdnn.config.OptimizerType;
import org.sparkdnn.model.IoShape;
import org.sparkdnn.model.TestModels;

/** Every optimizer type builds the right DL4J updater, trains, and honours L2 and decoupled weight decay. */
class OptimizersTest {
    private static final double LR = 0.05;
    private static final IoShape SHAPE = new IoShape(3, 2);
    private static final ModelConfig MODEL = TestModels.model(Loss.SOFTMAX_CROSS_ENTROPY, Activation.TANH,
            List.of(LayerConfig.dense(4, Activation.TANH)));
    private static final DataSet BATCH = TestModels.classification(6, SHAPE, 11);
    /** Weight matrices (L2 and weight decay apply to them, not to biases). */
    private static final List<String> WEIGHTS = List.of("layer0_W", "output_W");
    private static final List<String> BIASES = List.of("layer0_b", "output_b");

    @Test
    void eachTypeMapsToItsDl4jUpdaterWithTheConfiguredSettings() {
        assertInstanceOf(Sgd.class, updater(OptimizerType.SGD));
        assertInstanceOf(ScheduledAdaGrad.class, updater(OptimizerType.ADAGRAD));
        Momentum momentum = assertInstanceOf(Momentum.class, updater(OptimizerType.MOMENTUM));
        assertEquals(0.7, momentum.getMomentum());
        assertEquals(0.7, assertInstanceOf(Nesterovs.class, updater(OptimizerType.NESTEROV)).getMomentum());
        assertEquals(1e-6, assertInstanceOf(AdaGrad.class, updater(OptimizerType.ADAGRAD)).getEpsilon());
        RmsProp rms = assertInstanceOf(RmsProp.class, updater(OptimizerType.RMSPROP));
        assertEquals(0.95, rms.getRmsDecay());
        assertEquals(1e-8, rms.getEpsilon());
        for (OptimizerType adam : new OptimizerType[] {OptimizerType.ADAM, OptimizerType.ADAMW}) {
            Adam a = assertInstanceOf(Adam.class, updater(adam));
            assertEquals(0.8, a.getBeta1());
            assertEquals(0.99, a.getBeta2());
        }
        for (OptimizerType type : OptimizerType.values()) {
            assertEquals(LR, updater(type).getLearningRate(0, 0), 1e-15, type + ": η at step 0");
        }
    }

    /** DL4J clones every layer's updater while building a network; its own AdaGrad.clone() loses the schedule. */
    @Test
    void adaGradKeepsItsLearningRateScheduleWhenCloned() {
        IUpdater adaGrad = updater(OptimizerType.ADAGRAD);
        assertEquals(LR, adaGrad.clone().getLearningRate(0, 0), 1e-15);
        assertEquals(adaGrad, adaGrad.clone());
        assertTrue(Double.isNaN(new AdaGrad(new FixedSchedule(LR), 1e-6).clone().getLearningRate(0, 0)),
                "DL4J's AdaGrad.clone() is fixed: ScheduledAdaGrad can go");
    }

    @ParameterizedTest
    @EnumSource(OptimizerType.class)
    void oneFitStepChangesEveryParameterArray(OptimizerType type) {
        ComputationGraph net = TestModels.build(MODEL, config(type, 0, 0), TestModels.SEED, SHAPE);
        Map<String, INDArray> before = copy(net.paramTable());
        net.fit(BATCH);
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            double change = Transforms.abs(e.getValue().sub(before.get(e.getKey()))).maxNumber().doubleValue();
            assertTrue(change > 1e-6, type + ": " + e.getKey() + " moved by " + change);
        }
    }

    /** Weight decay is applied after the updater: after one step it adds exactly η·λ·w₀ to every optimizer's update. */
    @ParameterizedTest
    @EnumSource(OptimizerType.class)
    void weightDecayShrinksWeightsByLearningRateTimesDecayTimesWeightOnTheFirstStep(OptimizerType type) {
        double decay = 0.1;
        Map<String, INDArray> initial = copy(TestModels.build(MODEL, config(type, 0, 0), TestModels.SEED, SHAPE)
                .paramTable());
        Map<String, INDArray> plain = stepsFrom(config(type, 0, 0), 1);
        Map<String, INDArray> decayed = stepsFrom(config(type, 0, decay), 1);
        for (String w : WEIGHTS) {
            assertArrayEquals(values(initial.get(w).mul(LR * decay)),
                    values(plain.get(w).sub(decayed.get(w))), 1e-12, type + ": " + w);
        }
        for (String b : BIASES) {
            assertArrayEquals(values(plain.get(b)), values(decayed.get(b)), 0.0, type + ": " + b);
        }
    }

    /** L2 adds λ·w to the gradient before the updater: with SGD or classic momentum the first step grows by η·λ·w₀. */
    @ParameterizedTest
    @EnumSource(value = OptimizerType.class, names = {"SGD", "MOMENTUM"})
    void l2AddsLearningRateTimesLambdaTimesWeightToTheFirstLinearUpdate(OptimizerType type) {
        double l2 = 0.2;
        Map<String, INDArray> initial = copy(TestModels.build(MODEL, config(type, 0, 0), TestModels.SEED, SHAPE)
                .paramTable());
        Map<String, INDArray> plain = stepsFrom(config(type, 0, 0), 1);
        Map<String, INDArray> regularized = stepsFrom(config(type, l2, 0), 1);
        for (String w : WEIGHTS) {
            assertArrayEquals(values(initial.get(w).mul(LR * l2)),
                    values(plain.get(w).sub(regularized.get(w))), 1e-12, type + ": " + w);
        }
        for (String b : BIASES) {
            assertArrayEquals(values(plain.get(b)), values(regularized.get(b)), 0.0, type + ": " + b);
        }
    }

    /** Both configured: both apply (the global DL4J builder would silently drop L2 when weight decay is set). */
    @Test
    void l2AndWeightDecayTogetherAddBothTermsToTheFirstSgdUpdate() {
        Map<String, INDArray> initial = copy(TestModels.build(MODEL, config(OptimizerType.SGD, 0, 0), TestModels.SEED,
                SHAPE).paramTable());
        Map<String, INDArray> plain = stepsFrom(config(OptimizerType.SGD, 0, 0), 1);
        Map<String, INDArray> both = stepsFrom(config(OptimizerType.SGD, 0.2, 0.1), 1);
        for (String w : WEIGHTS) {
            assertArrayEquals(values(initial.get(w).mul(LR * (0.2 + 0.1))),
                    values(plain.get(w).sub(both.get(w))), 1e-12, w);
        }
    }

    @ParameterizedTest
    @EnumSource(OptimizerType.class)
    void l2ChangesTheTrajectoryOfEveryOptimizer(OptimizerType type) {
        Map<String, INDArray> plain = stepsFrom(config(type, 0, 0), 3);
        Map<String, INDArray> regularized = stepsFrom(config(type, 0.5, 0), 3);
        for (String w : WEIGHTS) {
            double diff = Transforms.abs(plain.get(w).sub(regularized.get(w))).maxNumber().doubleValue();
            assertTrue(diff > 1e-6, type + ": " + w + " differs by only " + diff);
        }
    }

    @Test
    void adamWIsAdamWithDecoupledWeightDecayOfOneHundredthByDefault() {
        OptimizerConfig adamW = OptimizerConfig.of(OptimizerType.ADAMW, LR);
        assertEquals(0.01, adamW.weightDecay());
        Map<String, INDArray> initial = copy(TestModels.build(MODEL, adamW, TestModels.SEED, SHAPE).paramTable());
        Map<String, INDArray> adam = stepsFrom(OptimizerConfig.of(OptimizerType.ADAM, LR), 1);
        Map<String, INDArray> decoupled = stepsFrom(adamW, 1);
        for (String w : WEIGHTS) {
            assertArrayEquals(values(initial.get(w).mul(LR * 0.01)),
                    values(adam.get(w).sub(decoupled.get(w))), 1e-12, w);
        }
    }

    private static IUpdater updater(OptimizerType type) {
        OptimizerConfig c = new OptimizerConfig(type, LR, 0.7, 0.8, 0.99, null, null, null, null, null, null);
        return Optimizers.updater(c, 100);
    }

    private static OptimizerConfig config(OptimizerType type, double l2, double weightDecay) {
        return new OptimizerConfig(type, LR, null, null, null, null, null, l2, weightDecay, null, null);
    }

    private static Map<String, INDArray> stepsFrom(OptimizerConfig optimizer, int steps) {
        ComputationGraph net = TestModels.build(MODEL, optimizer, TestModels.SEED, SHAPE);
        for (int i = 0; i < steps; i++) {
            net.fit(BATCH);
        }
        return copy(net.paramTable());
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> params) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}

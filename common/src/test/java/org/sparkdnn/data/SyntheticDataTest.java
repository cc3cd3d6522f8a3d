package org.sparkdnn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.sparkdnn.config.ConfigException;
import org.sparkdnn.config.SyntheticConfig;

/** The synthetic generators: the same rows for the same parameters, the distributions they promise. */
class SyntheticDataTest {
    @Test
    void pointsAreSeededUniformInputsWithASineTarget() {
        SyntheticConfig c = new SyntheticConfig(50, 1, 7L, 0.0, 2.0, null, null, null);
        Examples a = SyntheticData.generate("points", c);
        Examples b = SyntheticData.generate("points", c);
        assertEquals(50, a.count());
        assertEquals(1, a.features());
        assertArrayEquals(a.x(), b.x());
        assertArrayEquals(a.y(), b.y());
        assertFalse(Arrays.equals(a.x(), SyntheticData.generate("points", new SyntheticConfig(50, 1, 8L, 0.0, 2.0, null, null, null)).x()),
                "another seed, other points");
        for (int i = 0; i < a.count(); i++) {
            float x = a.x()[i];
            assertTrue(x >= -1 && x < 1, "x in [-1, 1): " + x);
            assertEquals(2 * Math.sin(Math.PI * x), a.y()[i], 1e-6, "y = strength sin(pi x) without noise");
        }
    }

    @Test
    void theTeachersTargetHasTheVarianceOfItsStrength() {
        Examples t = SyntheticData.generate("teacher", new SyntheticConfig(20_000, 8, 3L, 0.0, 3.0, null, null, null));
        double mean = 0;
        double square = 0;
        for (float y : t.y()) {
            mean += y;
            square += (double) y * y;
        }
        mean /= t.count();
        double variance = square / t.count() - mean * mean;
        // y = 3 u.x with |u| = 1 and x ~ N(0, I): variance 9; the sample of 20,000 is within 3 %
        assertEquals(9.0, variance, 0.3);
        assertEquals(0.0, mean, 0.1);
        double xSquare = 0;
        for (float x : t.x()) {
            xSquare += (double) x * x;
        }
        assertEquals(1.0, xSquare / t.x().length, 0.03, "whitened inputs");
        Examples ill = SyntheticData.generate("teacher", new SyntheticConfig(20_000, 3, 3L, 0.0, 1.0, null, null, 100.0));
        double[] inputVariance = new double[3];
        for (int i = 0; i < ill.count(); i++) {
            for (int j = 0; j < 3; j++) {
                inputVariance[j] += (double) ill.x()[i * 3 + j] * ill.x()[i * 3 + j] / ill.count();
            }
        }
        assertEquals(1.0, inputVariance[0], 0.03);
        assertEquals(0.1, inputVariance[1], 0.003, "κ = 100 over 3 inputs: variances 1, 1/10, 1/100");
        assertEquals(0.01, inputVariance[2], 0.0003);
    }

    @Test
    void halfspaceLabelsAreTheSideOfAPlaneAndOutliersShiftOnlyTrainingTargets() {
        Examples h = SyntheticData.generate("halfspace", new SyntheticConfig(4000, 4, 5L, 0.0, null, null, null, null));
        int ones = 0;
        for (float label : h.y()) {
            assertTrue(label == 0f || label == 1f);
            ones += (int) label;
        }
        assertEquals(2000, ones, 150, "a plane through the origin halves a centred Gaussian");
        // outliers: in the training split only (validation and test are held out first and stay clean)
        Splits splits = DataFixtures.load("data: {format: synthetic, train: teacher, testFraction: 0.25, synthetic: "
                + "{count: 400, features: 3, outliers: 0.2, outlierShift: 50.0}}\nmodel: {loss: l2}\n");
        Examples clean = SyntheticData.generate("teacher", new SyntheticConfig(400, 3, 1L, 0.0, 1.0, null, null, null));
        int shifted = 0;
        for (float y : splits.train().y()) {
            shifted += y > 25 ? 1 : 0;
        }
        assertEquals(60, shifted, "20 % of the 300 training rows");
        for (float y : splits.test().orElseThrow().y()) {
            assertTrue(y < 25, "test targets are clean: " + y);
        }
        assertEquals(400, clean.count());
    }

    @Test
    void anUnknownGeneratorNamesDataTrain() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> SyntheticData.generate("spiral", SyntheticConfig.defaults()));
        assertTrue(e.getMessage().contains("data.train") && e.getMessage().contains("spiral"), e.getMessage());
    }
}

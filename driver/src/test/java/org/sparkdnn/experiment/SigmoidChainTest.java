package org.sparkdnn.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The chain's reference expectation against theory worked out by hand: with w ~ N(0, s²) and small pre-activations,
 * each layer multiplies the gradient by σ′ ≈ 1/4 and a weight whose E[log10 |w|] = log10 s − (γ + ln 2) / (2 ln 10).
 */
class SigmoidChainTest {
    @Test
    void eachLayerDividesTheExpectedGradientByFourTimesATypicalWeight() {
        double s = 0.1;
        double eulerGamma = 0.5772156649;
        double perLayer = Math.log10(0.25) + Math.log10(s) - (eulerGamma + Math.log(2)) / (2 * Math.log(10));
        double[] expected = SigmoidChain.expectedRelativeLogNorms(30, s, s, 32, 4000, 1L);
        assertEquals(30, expected.length);
        assertEquals(0.0, expected[29], 0.0, "relative to the last hidden layer");
        // between layers 5 and 25 (away from the input and from the top) the mean slope is perLayer ≈ −1.88
        double slope = (expected[5] - expected[25]) / 20; // towards the input
        assertEquals(perLayer, slope, 0.03);
        // a larger weight scale decays more slowly
        double[] larger = SigmoidChain.expectedRelativeLogNorms(30, 1.0, 0.1, 32, 4000, 1L);
        assertEquals(true, larger[5] > expected[5] + 10, "N(0, 1) weights: " + larger[5] + " vs " + expected[5]);
    }
}

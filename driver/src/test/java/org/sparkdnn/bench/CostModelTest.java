package org.sparkdnn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The cost model's formulas behave as their derivation says (the numbers themselves come from calibration). */
class CostModelTest {
    private final CostModel model = new CostModel(10e9, 50e-6, 1e9, 5e-9);

    @Test
    void theDriversTrafficGrowsWithKAndThePeersIsBounded() {
        long p = 25_000_000;
        double c = 0.1;
        double d8 = model.driverStep(p, 8, c) - c;
        double d16 = model.driverStep(p, 16, c) - c;
        // 2kS bytes through one host: doubling k nearly doubles the exchange (the apply stays)
        assertEquals(2.0, (d16 - p * 5e-9) / (d8 - p * 5e-9), 0.01);
        // each host moves 2S(k-1)/k: below 2S whatever k, so the exchange approaches a constant
        double s = 4.0 * p;
        double bound = 2 * s * 8 / 10e9 + 4 * s / 1e9;
        double p256 = model.peerExchange(p, 256);
        assertTrue(p256 < bound + 2 * 50e-6 && p256 > 0.99 * bound, "peer exchange " + p256);
        assertEquals(c + p256 + p * 5e-9, model.peerStep(p, 256, c), 1e-12, "as built: every worker applies all P");
        assertEquals(c + p256 + p * 5e-9 / 256, model.peerOwnerSlicesStep(p, 256, c), 1e-12);
        assertTrue(model.peerStep(p, 16, c) < model.driverStep(p, 16, c) / 4, "peer far cheaper at k = 16");
    }

    @Test
    void oneWorkerAloneIsFullyEfficientWithPeerAndPaysTheRoundTripWithTheDriver() {
        assertEquals(1.0, model.peerEfficiency(2_600_000, 1, 0.05), 1e-12, "k = 1 exchanges nothing");
        assertTrue(model.driverEfficiency(2_600_000, 1, 0.05) < 1.0, "the driver's server is a round trip even at 1");
        // more compute per step hides more of the exchange
        assertTrue(model.peerEfficiency(25_000_000, 16, 0.4) > model.peerEfficiency(25_000_000, 16, 0.1));
    }

    @Test
    void theSoftwareRateItSolvesForReachesTheTarget() {
        double rate = model.softwareRateForPeer(0.9, 25_000_000, 16, 0.2);
        assertTrue(Double.isFinite(rate) && rate > 1e9, "rate " + rate);
        CostModel at = new CostModel(10e9, 50e-6, rate, 5e-9);
        assertEquals(0.9, at.peerOwnerSlicesEfficiency(25_000_000, 16, 0.2), 1e-3);
        assertTrue(at.peerEfficiency(25_000_000, 16, 0.2) < 0.9, "the replicated apply costs more than a slice's");
        // with 1 ms of compute even an infinitely fast software path cannot hide 100 MB on a 10 Gb/s link
        assertTrue(Double.isInfinite(model.softwareRateForPeer(0.9, 25_000_000, 16, 0.001)));
    }
}

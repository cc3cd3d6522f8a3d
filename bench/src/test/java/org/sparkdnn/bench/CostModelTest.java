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

    /**
     * Overlapped: an exchange shorter than the passes costs only the first bucket's share of each phase (not hidden);
     * one longer than them sticks out by the difference; smaller buckets hide more only through the first bucket.
     */
    @Test
    void theOverlappedStepHidesWhatThePassesCoverAndNoMore() {
        long p = 25_000_000;
        double phase = model.peerPhase(p, 16, CostModel.BUCKET_BYTES);
        // the same bytes as unbucketed; a latency per bucket (5: a first of 1 MiB, four of 25) and phase
        assertEquals(model.peerExchange(p, 16) + 2 * 4 * 50e-6, 2 * phase, 1e-12);
        double apply = p * 5e-9 / 16;
        double share = CostModel.FIRST_BUCKET_BYTES / (4.0 * p);
        double longCompute = 30 * phase; // both passes longer than a phase: only the first bucket's share sticks out
        assertEquals(longCompute + 2 * phase * share + apply, model.peerOverlappedStep(p, 16, longCompute), 1e-9);
        double shortCompute = 0.3 * phase; // both passes shorter: the phases stick out by the difference
        assertEquals(2 * phase + apply, model.peerOverlappedStep(p, 16, shortCompute), 1e-9);
        assertTrue(model.peerOverlappedStep(p, 16, 0.2) < model.peerOwnerSlicesStep(p, 16, 0.2));
        assertEquals(0.2 / (0.2 + p * 5e-9), model.peerOverlappedComputeShare(p, 1, 0.2), 1e-12, "k = 1: no exchange");
        // software on the compute's core (a 1-core CPU executor): it adds to the step, only the link is hidden
        double software = 2 * 4.0 * p * 15 / 16 / 1e9;
        double onLink = phase - software;
        assertEquals(longCompute + 2 * software + 2 * onLink * share + apply,
                model.peerOverlappedStep(p, 16, longCompute, CostModel.BUCKET_BYTES, false), 1e-9);
        double rate = model.softwareRateForOverlapped(0.9, p, 16, 0.2);
        CostModel at = new CostModel(10e9, 50e-6, rate, 5e-9);
        assertEquals(0.9, at.peerOverlappedComputeShare(p, 16, 0.2), 1e-3);
    }
}

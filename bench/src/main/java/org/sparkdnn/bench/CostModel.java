package org.sparkdnn.bench;

import java.util.Arrays;
import java.util.function.DoubleFunction;
import java.util.function.Predicate;

/**
 * A cost model of one synchronous data-parallel step, for the two exchanges: {@code driver} (the parameter server on
 * the driver: every worker sends its gradient there and receives the new parameters) and {@code peer} (reduce-scatter
 * + all-gather between executors; then either every worker applies the whole update to its replica
 * ({@code cluster.peer.update: replicated}) or each applies 1/k, its owner slice ({@code cluster.peer.update: owner}); and the owner
 * slices' exchange in buckets overlapped with the backward and the next forward pass ({@code cluster.peer.overlap})).
 *
 * <p>Assumptions (stated, not measured beyond the calibration constants): weak scaling — every worker computes a shard
 * of the same size in {@code computeSeconds} whatever k; no overlap of communication with computation (but see
 * {@link #peerOverlappedStep}); full-duplex
 * links of {@code bitsPerSecond} per host, no switch contention; messages pay a {@code latencySeconds} each way; every
 * byte a host sends or receives also costs the software (framing, copies between native and heap memory) at
 * {@code softwareBytesPerSecond} (the peer path: native buffers straight to the socket) or
 * {@code driverSoftwareBytesPerSecond} (the driver's parameter server: framed streams, a new off-heap tensor per
 * gradient); the optimizer's apply costs {@code applySecondsPerParameter} on one core (the driver also sums the k
 * gradients and computes the gradient norms there, which the model leaves out: its driver figures are optimistic).
 * {@code driver}: the driver's link carries k·S bytes in and k·S out (S = 4·P bytes for P float parameters), all
 * serialised through it; it applies the whole update. {@code peer} (reduce-scatter then all-gather, each phase one
 * round of direct sends to the k−1 others, as {@code PeerMesh} does): each host sends and receives 2·S·(k−1)/k bytes,
 * two latencies; then applies the update of P parameters (replicated) or P/k (owner slices). Overlapped
 * ({@link #peerOverlappedStep}): the reduce-scatter runs during the backward pass, taken as {@code BACKWARD_SHARE} of
 * the compute, the all-gather during the next forward pass; only what sticks out of them adds to the step.
 *
 * <p>Efficiency E(k) = (computeSeconds + apply of P) / step time at k: the throughput per worker relative to one worker
 * training alone (which also applies its own update and exchanges nothing).
 */
public record CostModel(double bitsPerSecond, double latencySeconds, double softwareBytesPerSecond,
                        double applySecondsPerParameter, double driverSoftwareBytesPerSecond) {

    /** One software rate for both paths. */
    public CostModel(double bitsPerSecond, double latencySeconds, double softwareBytesPerSecond,
                     double applySecondsPerParameter) {
        this(bitsPerSecond, latencySeconds, softwareBytesPerSecond, applySecondsPerParameter, softwareBytesPerSecond);
    }

    /**
     * Seconds of the driver's exchange: the gradients in (k·S bytes through the driver's link) and, after the apply,
     * the parameters out (k·S again): 2·k·S bytes on the link and through its software, two latencies.
     */
    public double driverExchange(long parameters, int workers) {
        double bytes = 2.0 * workers * 4 * parameters;
        return 2 * latencySeconds + bytes * 8 / bitsPerSecond + bytes / driverSoftwareBytesPerSecond;
    }

    /**
     * Seconds of the peer exchange: each phase one round in which each host sends S/k to each of the k−1 others and
     * receives as much at once (full duplex), so 2·S·(k−1)/k bytes on its link and twice that through its software
     * (what it sends and what it receives); two latencies. k = 1 exchanges nothing.
     */
    public double peerExchange(long parameters, int workers) {
        if (workers == 1) {
            return 0;
        }
        double onLink = 2 * 4.0 * parameters * (workers - 1) / workers;
        return 2 * latencySeconds + onLink * 8 / bitsPerSecond + 2 * onLink / softwareBytesPerSecond;
    }

    /** Step seconds with the driver's parameter server: compute, the exchange, the apply of all P on the driver. */
    public double driverStep(long parameters, int workers, double computeSeconds) {
        return computeSeconds + driverExchange(parameters, workers) + parameters * applySecondsPerParameter;
    }

    /** Step seconds with the peer exchange as built: compute, the exchange, every worker applies all P. */
    public double peerStep(long parameters, int workers, double computeSeconds) {
        return computeSeconds + peerExchange(parameters, workers) + parameters * applySecondsPerParameter;
    }

    /** Step seconds with the peer exchange and owner slices: each worker applies P/k. */
    public double peerOwnerSlicesStep(long parameters, int workers, double computeSeconds) {
        return computeSeconds + peerExchange(parameters, workers) + parameters * applySecondsPerParameter / workers;
    }

    /** The share of a step's compute that is the backward pass (≈ 2/3 for dense layers: two matrix products of three). */
    public static final double BACKWARD_SHARE = 2.0 / 3;

    /** The peer exchange's default buckets ({@code cluster.peer.bucketMB: 25}) and first bucket (1 MiB), in bytes. */
    public static final double BUCKET_BYTES = 25 << 20;
    public static final double FIRST_BUCKET_BYTES = 1 << 20;

    /**
     * Seconds of one phase (reduce-scatter or all-gather) of the peer exchange in buckets: the bytes of
     * {@link #peerExchange}'s phase, and a latency per bucket.
     */
    public double peerPhase(long parameters, int workers, double bucketBytes) {
        return peerPhaseOnLink(parameters, workers, bucketBytes) + peerPhaseSoftware(parameters, workers);
    }

    /** The link's part of {@link #peerPhase}: latencies and bytes on the wire. */
    private double peerPhaseOnLink(long parameters, int workers, double bucketBytes) {
        if (workers == 1) {
            return 0;
        }
        return buckets(parameters, bucketBytes) * latencySeconds
                + 4.0 * parameters * (workers - 1) / workers * 8 / bitsPerSecond;
    }

    /** The host's software part of {@link #peerPhase}: what it sends and what it receives. */
    private double peerPhaseSoftware(long parameters, int workers) {
        return workers == 1 ? 0 : 2 * 4.0 * parameters * (workers - 1) / workers / softwareBytesPerSecond;
    }

    private static long buckets(long parameters, double bucketBytes) {
        double bytes = 4.0 * parameters;
        double first = Math.min(bucketBytes, FIRST_BUCKET_BYTES);
        return bytes <= first ? 1 : 1 + (long) Math.ceil((bytes - first) / bucketBytes);
    }

    /**
     * Step seconds with owner slices and the exchange overlapped with computation, as built ({@code cluster.peer.overlap}):
     * the forward pass is (1 − {@link #BACKWARD_SHARE}) of the compute, the backward pass the rest. The reduce-scatter
     * sends each bucket as the backward pass finishes it: it ends at the later of its own length R and the backward
     * pass plus the first bucket's share of R (the first layers' gradient comes last). Then the owner update (P/k).
     * The all-gather runs under the next forward pass, which waits for each layer's bucket: the forward pass ends at
     * the later of its own length and the gather's length G, and not before the first bucket's share of G. The
     * exchange's software work runs beside the compute when {@code softwareBesideCompute} (an accelerator computes;
     * the host's cores move bytes), else it takes the compute's core and adds to the step (a CPU-only executor of one
     * core, as {@code bench/scale} runs). Buckets are taken to fill at an even rate through each pass.
     */
    public double peerOverlappedStep(long parameters, int workers, double computeSeconds, double bucketBytes,
                                     boolean softwareBesideCompute) {
        double software = peerPhaseSoftware(parameters, workers);
        double phase = peerPhaseOnLink(parameters, workers, bucketBytes) + (softwareBesideCompute ? software : 0);
        double serial = softwareBesideCompute ? 0 : 2 * software;
        double firstShare = Math.min(1, Math.min(bucketBytes, FIRST_BUCKET_BYTES) / (4.0 * parameters));
        double backward = BACKWARD_SHARE * computeSeconds;
        double forward = computeSeconds - backward;
        double scatterSticksOut = Math.max(phase, backward + phase * firstShare) - backward;
        double gatherSticksOut = Math.max(phase, forward + phase * firstShare) - forward;
        return computeSeconds + serial + scatterSticksOut + parameters * applySecondsPerParameter / workers
                + gatherSticksOut;
    }

    /** {@link #peerOverlappedStep} with the default buckets, the software beside the compute (GPU hosts). */
    public double peerOverlappedStep(long parameters, int workers, double computeSeconds) {
        return peerOverlappedStep(parameters, workers, computeSeconds, BUCKET_BYTES, true);
    }

    /** E(k) of {@link #peerOverlappedStep} (default buckets). */
    public double peerOverlappedEfficiency(long parameters, int workers, double computeSeconds) {
        return alone(parameters, computeSeconds) / peerOverlappedStep(parameters, workers, computeSeconds);
    }

    /**
     * The stricter ratio: compute / step time (as if one worker alone had a free update, as on a GPU, where the
     * optimizer step is a few milliseconds). {@link #peerOverlappedEfficiency} credits owner slices with splitting
     * the update k ways, which can take E(k) above 1.
     */
    public double peerOverlappedComputeShare(long parameters, int workers, double computeSeconds) {
        return computeSeconds / peerOverlappedStep(parameters, workers, computeSeconds);
    }

    /** E(k) of the driver's exchange. */
    public double driverEfficiency(long parameters, int workers, double computeSeconds) {
        return alone(parameters, computeSeconds) / driverStep(parameters, workers, computeSeconds);
    }

    /** E(k) of the peer exchange. */
    public double peerEfficiency(long parameters, int workers, double computeSeconds) {
        return alone(parameters, computeSeconds) / peerStep(parameters, workers, computeSeconds);
    }

    /** E(k) of the peer exchange with owner slices: each worker applies P/k. */
    public double peerOwnerSlicesEfficiency(long parameters, int workers, double computeSeconds) {
        return alone(parameters, computeSeconds) / peerOwnerSlicesStep(parameters, workers, computeSeconds);
    }

    /**
     * The software rate (bytes/s per host) at which the peer exchange with owner slices reaches efficiency
     * {@code target} at k (bisection; infinite when even a free software path falls short: the link, the latency or
     * the apply is the limit then). As built (replicated apply) see {@link #peerEfficiency} with an infinite rate.
     */
    public double softwareRateForPeer(double target, long parameters, int workers, double computeSeconds) {
        return softwareRateFor(m -> m.peerOwnerSlicesEfficiency(parameters, workers, computeSeconds) >= target);
    }

    /**
     * The software rate (bytes/s per host) at which the overlapped exchange's compute/step ratio
     * ({@link #peerOverlappedComputeShare}) reaches {@code target} at k (bisection; infinite when a free software path
     * falls short).
     */
    public double softwareRateForOverlapped(double target, long parameters, int workers, double computeSeconds) {
        return softwareRateFor(m -> m.peerOverlappedComputeShare(parameters, workers, computeSeconds) >= target);
    }

    /** The lowest peer software rate at which this model with that rate is {@code enough} (bisection), or infinity. */
    private double softwareRateFor(Predicate<CostModel> enough) {
        DoubleFunction<CostModel> at = rate -> new CostModel(bitsPerSecond, latencySeconds, rate,
                applySecondsPerParameter, driverSoftwareBytesPerSecond);
        if (!enough.test(at.apply(Double.POSITIVE_INFINITY))) {
            return Double.POSITIVE_INFINITY;
        }
        double low = 1e6;
        double high = 1e13;
        for (int i = 0; i < 200; i++) {
            double mid = Math.sqrt(low * high);
            if (enough.test(at.apply(mid))) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private double alone(long parameters, double computeSeconds) {
        return computeSeconds + parameters * applySecondsPerParameter;
    }

    /**
     * Prints E(k) for both exchanges: k = 1..256, 10/25/100 Gb/s, the given model sizes and per-worker compute times.
     * Usage: {@code CostModel SOFTWARE_BYTES_PER_S DRIVER_SOFTWARE_BYTES_PER_S APPLY_NS_PER_PARAM LATENCY_US
     * [PARAMS,..] [COMPUTE_MS,..]}, or {@code CostModel predict SOFTWARE_BYTES_PER_S DRIVER_SOFTWARE_BYTES_PER_S
     * APPLY_NS_PER_PARAM LATENCY_US PARAMS K GBITS COMPUTE_MS [BUCKET_MB]}: one setup's per-step exchange and step
     * milliseconds for both exchanges (what {@code bench/scale} measures).
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("predict")) {
            CostModel m = new CostModel(Double.parseDouble(args[7]) * 1e9, Double.parseDouble(args[4]) * 1e-6,
                    Double.parseDouble(args[1]), Double.parseDouble(args[3]) * 1e-9, Double.parseDouble(args[2]));
            long p = Long.parseLong(args[5]);
            int k = Integer.parseInt(args[6]);
            double c = Double.parseDouble(args[8]) / 1000;
            double bucketMb = args.length > 9 ? Double.parseDouble(args[9]) : BUCKET_BYTES / (1 << 20);
            System.out.printf("predicted per step: driver exchange %.1f ms (step %.1f ms), peer exchange %.1f ms (step "
                    + "%.1f ms replicated, %.1f ms owner slices, %.1f ms owner slices overlapped, its software on the compute's core), peer/driver "
                    + "exchange %.2f%n",
                    m.driverExchange(p, k) * 1e3, m.driverStep(p, k, c) * 1e3, m.peerExchange(p, k) * 1e3,
                    m.peerStep(p, k, c) * 1e3, m.peerOwnerSlicesStep(p, k, c) * 1e3,
                    m.peerOverlappedStep(p, k, c, bucketMb * (1 << 20), false) * 1e3,
                    m.peerExchange(p, k) / m.driverExchange(p, k));
            return;
        }
        double software = Double.parseDouble(args[0]);
        double driverSoftware = Double.parseDouble(args[1]);
        double apply = Double.parseDouble(args[2]) * 1e-9;
        double latency = Double.parseDouble(args[3]) * 1e-6;
        long[] sizes = Arrays.stream((args.length > 4 ? args[4] : "200000,2600000,25000000").split(","))
                .mapToLong(Long::parseLong).toArray();
        double[] computes = Arrays.stream((args.length > 5 ? args[5] : "50,200").split(","))
                .mapToDouble(m -> Double.parseDouble(m) / 1000).toArray();
        int[] ks = {1, 2, 4, 8, 16, 32, 64, 128, 256};
        System.out.printf("cost model: software %.2f GB/s per host (peer), %.2f GB/s (driver), apply %.2f ns/parameter, "
                + "latency %.0f us%n", software / 1e9, driverSoftware / 1e9, apply * 1e9, latency * 1e6);
        for (double gbps : new double[] {10, 25, 100}) {
            CostModel m = new CostModel(gbps * 1e9, latency, software, apply, driverSoftware);
            for (long p : sizes) {
                for (double c : computes) {
                    StringBuilder driver = new StringBuilder();
                    StringBuilder peer = new StringBuilder();
                    StringBuilder owners = new StringBuilder();
                    StringBuilder overlapped = new StringBuilder();
                    for (int k : ks) {
                        driver.append(String.format(" %5.2f", m.driverEfficiency(p, k, c)));
                        peer.append(String.format(" %5.2f", m.peerEfficiency(p, k, c)));
                        owners.append(String.format(" %5.2f", m.peerOwnerSlicesEfficiency(p, k, c)));
                        overlapped.append(String.format(" %5.2f", m.peerOverlappedEfficiency(p, k, c)));
                    }
                    System.out.printf("%3.0f Gb/s, %,11d params, compute %4.0f ms  E(k) for k = %s%n", gbps, p,
                            c * 1000, Arrays.toString(ks));
                    System.out.printf("    driver%s%n    peer  %s  (replicated update)%n    owners%s  (owner slices)%n"
                            + "    overlp%s  (owner slices, exchange overlapped with both passes, 25 MiB buckets; "
                            + "compute/step at k = 16: %.2f)%n", driver, peer, owners, overlapped,
                            m.peerOverlappedComputeShare(p, 16, c));
                    CostModel free = new CostModel(gbps * 1e9, latency, Double.POSITIVE_INFINITY, apply, driverSoftware);
                    System.out.printf("    E(16) with a free software path: peer %.2f, owners %.2f; owners reach 0.9 at "
                            + "a software rate of %.2f GB/s per host; overlapped, compute/step reaches 0.9 at %.2f "
                            + "GB/s%n", free.peerEfficiency(p, 16, c), free.peerOwnerSlicesEfficiency(p, 16, c),
                            m.softwareRateForPeer(0.9, p, 16, c) / 1e9,
                            m.softwareRateForOverlapped(0.9, p, 16, c) / 1e9);
                }
            }
        }
    }
}

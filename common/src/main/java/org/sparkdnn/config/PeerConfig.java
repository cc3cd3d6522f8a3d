package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The settings of {@code cluster.exchange: peer} ({@code cluster.peer}).
 *
 * @param update    {@code auto} (default), {@code owner} or {@code replicated}: who applies the update (see
 *                  {@link PeerUpdate})
 * @param bucketMB  the exchange moves the flat gradient and parameters in buckets of this many MiB (default 25, as
 *                  PyTorch DDP's {@code bucket_cap_mb}); each worker owns 1/k of every bucket
 * @param overlap   with owner slices: the reduce-scatter of a bucket starts as soon as the backward pass has finished
 *                  it, and the all-gather of the new parameters runs while the next step's forward pass starts, each
 *                  layer waiting for its own (default true)
 * @param ports     the ports a worker's peer listener may take, {@code LOW-HIGH} (or one port), for firewalls that
 *                  open a known range between executors; the first free one is taken, so a host running w workers
 *                  needs w ports of it. Default: any free port
 */
public record PeerConfig(PeerUpdate update, Double bucketMB, Boolean overlap, String ports) {
    private static final Pattern RANGE = Pattern.compile("([0-9]{1,5})(?:-([0-9]{1,5}))?");

    public PeerConfig {
        update = orDefault(update, PeerUpdate.AUTO);
        bucketMB = Checks.positive("bucketMB", orDefault(bucketMB, 25.0));
        overlap = orDefault(overlap, true);
        ports = orDefault(ports, "");
        if (!ports.isEmpty()) {
            Matcher m = RANGE.matcher(ports.trim());
            int low = m.matches() ? Integer.parseInt(m.group(1)) : -1;
            int high = m.matches() ? Integer.parseInt(m.group(2) != null ? m.group(2) : m.group(1)) : -1;
            if (low < 1 || high > 65535 || low > high) {
                throw new ConfigException("ports", "must be LOW-HIGH (or one port) within 1..65535, LOW <= HIGH",
                        ports);
            }
        }
    }

    public static PeerConfig defaults() {
        return new PeerConfig(null, null, null, null);
    }

    /** The first port of {@link #ports}, 0 for any. */
    public int portLow() {
        return ports.isEmpty() ? 0 : Integer.parseInt(ports.trim().split("-")[0]);
    }

    /** The last port of {@link #ports}, 0 for any. */
    public int portHigh() {
        String[] range = ports.trim().split("-");
        return ports.isEmpty() ? 0 : Integer.parseInt(range[range.length - 1]);
    }
}

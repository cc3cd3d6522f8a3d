package org.sparkdnn.config;

import static org.sparkdnn.config.Checks.orDefault;

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
 */
public record PeerConfig(PeerUpdate update, Double bucketMB, Boolean overlap) {
    public PeerConfig {
        update = orDefault(update, PeerUpdate.AUTO);
        bucketMB = Checks.positive("bucketMB", orDefault(bucketMB, 25.0));
        overlap = orDefault(overlap, true);
    }

    public static PeerConfig defaults() {
        return new PeerConfig(null, null, null);
    }
}

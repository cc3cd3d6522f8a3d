package org.sparkdnn.config;

/**
 * Who applies the update with {@code cluster.exchange: peer}: {@code owner} — worker j updates only its 1/k slice of
 * the parameters with its 1/k of the optimizer state, then the workers all-gather the new parameters (the update's
 * cost and the state's upkeep split k ways; per-layer clipping is impossible, no slice holds a layer's whole
 * gradient) — or {@code replicated} — every worker all-gathers the summed gradient and applies DL4J's updater to its
 * whole replica. {@code auto} (default): {@code owner} unless the model clips or normalizes gradients per layer.
 * Both are bitwise {@code reference}.
 */
public enum PeerUpdate implements Keyed {
    AUTO, OWNER, REPLICATED
}

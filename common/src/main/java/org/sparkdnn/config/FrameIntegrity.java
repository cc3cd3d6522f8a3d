package org.sparkdnn.config;

import java.util.List;

/**
 * Whether the frames after the handshake carry a MAC ({@code cluster.frameIntegrity}): {@code mac} (default: every
 * frame, parameter server and peer mesh, carries an HMAC-SHA256 tag under a per-connection, per-direction session key
 * and an implicit sequence number; a modified, replayed, reordered, dropped or forged frame fails the step) or
 * {@code off} (no tags: only on a trusted, isolated network; see docs/security.md for the measured cost).
 */
public enum FrameIntegrity implements Keyed {
    MAC, OFF;

    /** YAML 1.1 reads a bare {@code off} as the boolean false: that spelling means {@code off} too. */
    @Override
    public List<String> aliases() {
        return this == OFF ? List.of("false") : List.of();
    }
}

package org.sparkdnn.ps.peer;

import java.io.Serializable;

/**
 * The ports a worker's peer listener may take ({@code cluster.peer.ports}): {@code low..high} inclusive, or
 * {@link #ANY} (0..0: a free port the system picks).
 */
public record PortRange(int low, int high) implements Serializable {
    /** Any free port. */
    public static final PortRange ANY = new PortRange(0, 0);

    public PortRange {
        if (low < 0 || high > 65535 || low > high || (low == 0 && high != 0)) {
            throw new IllegalArgumentException("a port range within 1..65535, low <= high (or 0-0: any), was "
                    + low + "-" + high);
        }
    }

    @Override
    public String toString() {
        return low == 0 ? "any free port" : "ports " + low + "-" + high;
    }
}

package org.sparkdnn.data;

import java.io.Serializable;

/**
 * Which training rows worker {@code worker} holds in an epoch: {@code rows[i]} sits at position
 * {@code positions[i]} of the epoch's order. Serialised by {@link org.sparkdnn.data.KryoRegistration}.
 */
public record ShardIndex(int worker, int[] positions, int[] rows) implements Serializable {
    public ShardIndex {
        if (positions.length != rows.length) {
            throw new IllegalArgumentException("positions and rows differ in length");
        }
    }
}

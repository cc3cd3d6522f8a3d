package org.sparkdnn.ps.server;

import org.sparkdnn.ps.Watchdog;

/**
 * The parameter server's deadlines for what sockets cannot time out themselves.
 *
 * @param watchdog       closes a connection whose handshake or write overran
 * @param handshakeNanos a connection's whole handshake, from accept to its Hello checked
 * @param writeNanos     every write to a connection (cluster.stepTimeoutSeconds)
 */
record Deadlines(Watchdog watchdog, long handshakeNanos, long writeNanos) {
}

/**
 * The parameter-server protocol shared by the driver-hosted server ({@code org.sparkdnn.ps.server} in driver) and
 * the worker client ({@code org.sparkdnn.ps.client} in worker): a sealed family of messages carrying their ids
 * (job, worker, stage attempt, step) and a binary frame codec (tensors as raw little-endian floats or doubles); and
 * the one rule both the server and the worker mesh apply to connections that have not authenticated yet
 * ({@code Intake}: a whole-handshake deadline, the oldest evicted at the cap), with its {@code Watchdog}; and the
 * frames' integrity after the handshake: per-connection, per-direction session keys ({@code SessionKeys}), a MAC per
 * frame over an implicit sequence number ({@code FrameMac}), and the sealed blocking frame path ({@code FrameStream}).
 */
package org.sparkdnn.ps;

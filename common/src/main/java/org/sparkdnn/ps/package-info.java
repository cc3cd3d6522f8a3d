/**
 * The parameter-server protocol shared by the driver-hosted server ({@code org.sparkdnn.ps.server} in driver) and
 * the worker client ({@code org.sparkdnn.ps.client} in worker): a sealed family of messages carrying their ids
 * (job, worker, stage attempt, step) and a binary frame codec (tensors as raw little-endian floats or doubles).
 */
package org.sparkdnn.ps;

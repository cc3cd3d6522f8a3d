/**
 * The worker-to-worker half of {@code cluster.exchange: peer}: the mesh of one barrier stage attempt (every pair of
 * workers connected and authenticated both ways before anything is allocated), the collectives over it
 * (reduce-scatter and all-gather, summed in worker order so every value is bitwise the driver's sum) and the bucket
 * layout they move the flat gradient and parameters in.
 */
package org.sparkdnn.ps.peer;

/** The worker's side of the parameter-server protocol: connect, present the job's secret, exchange frames. */
package org.sparkdnn.ps.client;

/**
 * The parameter server's host side, run by the driver: accepts worker connections that present the job's secret,
 * hands out parameters per step, gathers one gradient per worker in worker order, and rejects stale or foreign
 * messages with a reason.
 */
package org.sparkdnn.ps.server;

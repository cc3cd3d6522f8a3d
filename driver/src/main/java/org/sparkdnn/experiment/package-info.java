/**
 * The lecture notes' claims as runnable experiments: a spec per experiment ({@code conf/experiments/NAME.yaml}: the
 * claim quoted with its lecture and section, the runs, the checks written before anything ran), the runner that trains
 * the runs and computes each check's verdict from the recorded metrics, and the gallery page.
 */
package org.sparkdnn.experiment;

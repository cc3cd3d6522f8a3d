/**
 * The lecture notes' claims as runnable experiments: a spec per experiment ({@code conf/experiments/NAME.yaml}: the
 * claim quoted with its lecture and section, the runs, seeds and tuned settings, the checks written before anything
 * ran), the runner that trains the runs afresh and computes each check's verdict from the recorded metrics
 * ({@code Metrics}; a target never reached decides a verdict only through its lower bound), expectations computed
 * without the trainer ({@code SigmoidChain}), and the gallery page.
 */
package org.sparkdnn.experiment;

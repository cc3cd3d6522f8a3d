package org.sparkdnn.experiment;

import java.util.SplittableRandom;

/**
 * Lecture 000's chain z_i = σ(w_i z_{i−1} + b_i), i = 1..L, scalars, then an identity output unit and the squared
 * loss against y = 0, computed in double without the trainer: the expectation, under the initial distribution
 * (w, b ~ N(0, σ_w²), N(0, σ_b²); inputs uniform in [−1, 1]), of each layer's log10 gradient norm relative to the last
 * hidden layer's — backprop's product of σ′·w terms, averaged over many draws of the network.
 */
final class SigmoidChain {
    private SigmoidChain() {
    }

    /**
     * @return per hidden layer (input side first), the mean over {@code draws} networks of log10(‖∂L/∂(w_i, b_i)‖ /
     *         ‖∂L/∂(w_L, b_L)‖), the gradient being of the mean loss over a batch of {@code batch} inputs
     */
    static double[] expectedRelativeLogNorms(int layers, double weightStd, double biasStd, int batch, int draws,
                                             long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] sum = new double[layers];
        double[] w = new double[layers];
        double[] b = new double[layers];
        double[][] z = new double[layers + 1][batch];
        for (int d = 0; d < draws; d++) {
            for (int i = 0; i < layers; i++) {
                w[i] = weightStd * gaussian(random);
                b[i] = biasStd * gaussian(random);
            }
            double wOut = weightStd * gaussian(random);
            double bOut = biasStd * gaussian(random);
            for (int n = 0; n < batch; n++) {
                z[0][n] = 2 * random.nextDouble() - 1;
            }
            for (int i = 0; i < layers; i++) {
                for (int n = 0; n < batch; n++) {
                    z[i + 1][n] = 1 / (1 + Math.exp(-(w[i] * z[i][n] + b[i])));
                }
            }
            double[] delta = new double[batch]; // ∂L/∂z_{i+1} per example, from the top down
            for (int n = 0; n < batch; n++) {
                double yHat = wOut * z[layers][n] + bOut;
                delta[n] = 2 * yHat / batch * wOut;
            }
            double[] logNorm = new double[layers];
            for (int i = layers - 1; i >= 0; i--) {
                double gw = 0;
                double gb = 0;
                for (int n = 0; n < batch; n++) {
                    double s = z[i + 1][n];
                    double pre = delta[n] * s * (1 - s); // ∂L/∂a_i, a_i = w_i z_i + b_i
                    gw += pre * z[i][n];
                    gb += pre;
                    delta[n] = pre * w[i];
                }
                logNorm[i] = Math.log10(Math.hypot(gw, gb));
            }
            for (int i = 0; i < layers; i++) {
                sum[i] += logNorm[i] - logNorm[layers - 1];
            }
        }
        for (int i = 0; i < layers; i++) {
            sum[i] /= draws;
        }
        return sum;
    }

    private static double gaussian(SplittableRandom random) {
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}

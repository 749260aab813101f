package org.gps.core.sample;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The unit exploration noise of one rollout, eps[t][i] for every step t and action dimension i,
 * which the acting controller or policy turns into its own noise. White noise draws each step
 * independently. Smoothed noise filters each action dimension's draws along the rollout with a
 * Gaussian kernel of standard deviation {@code smoothing} steps (reaching 4 standard deviations,
 * the rollout's ends mirrored) and rescales the result to unit variance over the rollout, so a
 * controller's covariance still sets the size of its noise while the pushes last several steps:
 * a pendulum is swung by a push held for a while, which independent draws almost never make.
 *
 * @param smoothing the kernel's standard deviation in time steps; 0 for white noise
 */
public record ExplorationNoise(double smoothing) implements Serializable {
    /** Independent draws at every step. */
    public static final ExplorationNoise WHITE = new ExplorationNoise(0);

    /** How far the kernel reaches, in standard deviations. */
    static final double TRUNCATE = 4.0;

    public ExplorationNoise {
        if (!(smoothing >= 0) || !Double.isFinite(smoothing)) {
            throw new IllegalArgumentException("noise smoothing must be a finite number >= 0, got " + smoothing);
        }
    }

    /**
     * Draws the rollout's noise: {@code horizon} standard normal vectors of length {@code dU}, in
     * step order (the draws white noise makes, in the same order), then smoothed as above.
     */
    public double[][] draw(SplittableRandom rng, int horizon, int dU) {
        double[][] eps = new double[horizon][dU];
        for (int t = 0; t < horizon; t++) {
            for (int i = 0; i < dU; i++) {
                eps[t][i] = rng.nextGaussian();
            }
        }
        if (smoothing > 0) {
            smooth(eps);
        }
        return eps;
    }

    /** The normalised kernel weights w[-r..r] at offsets -r..r, r = round(4 sigma). */
    double[] kernel() {
        int radius = (int) (TRUNCATE * smoothing + 0.5);
        double[] w = new double[2 * radius + 1];
        double sum = 0;
        for (int j = -radius; j <= radius; j++) {
            w[j + radius] = Math.exp(-0.5 * j * j / (smoothing * smoothing));
            sum += w[j + radius];
        }
        for (int j = 0; j < w.length; j++) {
            w[j] /= sum;
        }
        return w;
    }

    /** Filters each column of {@code eps} (a rollout's draws, one row per step) in place and rescales it. */
    void smooth(double[][] eps) {
        double[] w = kernel();
        int horizon = eps.length;
        int radius = w.length / 2;
        double[] filtered = new double[horizon];
        for (int i = 0; i < eps[0].length; i++) {
            for (int t = 0; t < horizon; t++) {
                double acc = 0;
                for (int j = -radius; j <= radius; j++) {
                    acc += w[j + radius] * eps[mirrored(t + j, horizon)][i];
                }
                filtered[t] = acc;
            }
            double mean = 0;
            for (double v : filtered) {
                mean += v;
            }
            mean /= horizon;
            double variance = 0;
            for (double v : filtered) {
                variance += (v - mean) * (v - mean);
            }
            variance /= horizon;
            // Zero only if every filtered draw is the same (a one-step rollout): nothing to rescale.
            double sd = variance > 0 ? Math.sqrt(variance) : 1.0;
            for (int t = 0; t < horizon; t++) {
                eps[t][i] = filtered[t] / sd;
            }
        }
    }

    /** Index k folded back into [0, n) by mirroring at the ends, each end sample repeated (d c b a | a b c d). */
    static int mirrored(int k, int n) {
        int period = 2 * n;
        int m = Math.floorMod(k, period);
        return m < n ? m : period - 1 - m;
    }
}

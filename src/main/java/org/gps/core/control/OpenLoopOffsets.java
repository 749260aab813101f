package org.gps.core.control;

import org.gps.core.linalg.Mat;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * A random open-loop action sequence added to an initial controller's mean (docs/algorithm.md
 * section 11): white Gaussian noise smoothed along time by a Gaussian kernel of {@code width}
 * steps, scaled so that each action dimension's root mean square over the horizon is {@code std}.
 * Copies of one start that draw different sequences begin their searches from different motions,
 * which the exploration noise alone does not give them: a local, KL-bounded search stays near the
 * family of trajectories it starts in.
 *
 * @param std   root mean square of the sequence per action dimension; 0 adds nothing
 * @param width standard deviation of the smoothing kernel, in time steps
 */
public record OpenLoopOffsets(double std, double width) implements Serializable {
    public OpenLoopOffsets {
        if (!(std >= 0) || !Double.isFinite(std) || !(width > 0) || !Double.isFinite(width)) {
            throw new IllegalArgumentException("open-loop offsets need std >= 0 and width > 0, both finite, got "
                    + std + ", " + width);
        }
    }

    /** No offsets: the initial controllers as constructed. */
    public static OpenLoopOffsets none() {
        return new OpenLoopOffsets(0.0, 5.0);
    }

    public boolean isNone() {
        return std == 0.0;
    }

    /** The sequence, horizon x dU, drawn from {@code rng}. */
    public double[][] draw(int horizon, int dU, SplittableRandom rng) {
        double[][] white = new double[horizon][dU];
        for (int t = 0; t < horizon; t++) {
            for (int i = 0; i < dU; i++) {
                white[t][i] = rng.nextGaussian();
            }
        }
        double[] kernel = new double[horizon];
        for (int lag = 0; lag < horizon; lag++) {
            kernel[lag] = Math.exp(-0.5 * lag * lag / (width * width));
        }
        double[][] out = new double[horizon][dU];
        for (int i = 0; i < dU; i++) {
            double squares = 0.0;
            for (int t = 0; t < horizon; t++) {
                double sum = 0.0;
                for (int s = 0; s < horizon; s++) {
                    sum += kernel[Math.abs(t - s)] * white[s][i];
                }
                out[t][i] = sum;
                squares += sum * sum;
            }
            double scale = squares > 0 ? std / Math.sqrt(squares / horizon) : 0.0;
            for (int t = 0; t < horizon; t++) {
                out[t][i] *= scale;
            }
        }
        return out;
    }

    /** {@code controller} with a sequence drawn from {@code rng} added to its offsets k_t; gains and covariances kept. */
    public LinearGaussianController applyTo(LinearGaussianController controller, SplittableRandom rng) {
        if (isNone()) {
            return controller;
        }
        int horizon = controller.horizon();
        double[][] add = draw(horizon, controller.actionDim(), rng);
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covariances = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            gains[t] = controller.gain(t);
            covariances[t] = controller.covariance(t);
            offsets[t] = controller.offset(t);
            for (int i = 0; i < offsets[t].length; i++) {
                offsets[t][i] += add[t][i];
            }
        }
        return LinearGaussianController.of(gains, offsets, covariances);
    }
}

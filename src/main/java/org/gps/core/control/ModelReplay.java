package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Vec;

/**
 * What the fitted local model predicts each sample cost, and the part of the true cost it misses:
 * PILQR's split of the sampled cost into a model-based part for LQR and a residual for PI2.
 *
 * <p>Each sample's recorded unit noise is replayed through the controller that drew it and the
 * fitted mean dynamics: xh_0 = the start, uh_t = K_t xh_t + k_t + L_t eps_t (L_t L_t^T = S_t),
 * xh_{t+1} = F_t [xh_t; uh_t] + f_t, and ch_t = cc_t + cv_t . yh + 0.5 yh^T Cm_t yh with yh =
 * [xh_t; uh_t] under the samples' averaged cost expansion. No dynamics noise is replayed, and the
 * actions are not clipped to any box: the prediction is the model's, so what the model leaves
 * out (the dynamics noise, nonlinearity, clipping, and with the model-mean start the spread of
 * the initial states) is what the residual measures.
 */
public final class ModelReplay {
    private ModelReplay() {
    }

    /**
     * The predicted costs ch[i][t].
     *
     * @param controller   the controller that generated the samples
     * @param dynamics     the fitted dynamics, of which only the means F_t, f_t are used
     * @param x0           the fitted initial-state distribution, of which only the mean is used (and
     *                     only with {@link PilqrOptions.ReplayStart#MODEL_MEAN})
     * @param cost         the samples' averaged quadratic cost expansion
     * @param noise        eps[i][t], the unit noise of sample i at step t (dU values)
     * @param sampleStarts x_0 of every sample, needed with {@link PilqrOptions.ReplayStart#SAMPLE}
     *                     and not read otherwise (may be null)
     * @param start        where each replay starts
     */
    public static double[][] predictedCosts(LinearGaussianController controller, LinearGaussianDynamics dynamics,
                                            InitialStateDistribution x0, QuadraticCostModel cost, double[][][] noise,
                                            double[][] sampleStarts, PilqrOptions.ReplayStart start) {
        int horizon = controller.horizon();
        int dX = controller.stateDim();
        int dU = controller.actionDim();
        if (dynamics.horizon() != horizon || dynamics.stateDim() != dX || dynamics.actionDim() != dU
                || cost.horizon() != horizon || cost.stateDim() != dX || cost.actionDim() != dU
                || x0.mean().length != dX) {
            throw new IllegalArgumentException("replay: controller " + controller + ", dynamics (T="
                    + dynamics.horizon() + ", dX=" + dynamics.stateDim() + ", dU=" + dynamics.actionDim() + "), "
                    + cost + " and x0 of " + x0.mean().length + " values disagree");
        }
        if (start == PilqrOptions.ReplayStart.SAMPLE && (sampleStarts == null || sampleStarts.length != noise.length)) {
            throw new IllegalArgumentException("replay from the samples' own x_0 needs one per sample: "
                    + (sampleStarts == null ? "none" : sampleStarts.length) + " for " + noise.length + " samples");
        }
        double[][] predicted = new double[noise.length][];
        for (int i = 0; i < noise.length; i++) {
            double[] from = start == PilqrOptions.ReplayStart.SAMPLE ? sampleStarts[i] : x0.mean();
            if (from.length != dX) {
                throw new IllegalArgumentException("x_0 of sample " + i + " has " + from.length + " values, expected "
                        + dX);
            }
            double[][] y = trajectory(controller, dynamics, from, requireShape(noise[i], i, horizon, dU));
            predicted[i] = new double[horizon];
            for (int t = 0; t < horizon; t++) {
                predicted[i][t] = cost.valueAt(t, y[t]);
            }
        }
        return predicted;
    }

    /** r[i][t] = c[i][t] - ch[i][t]: the sampled cost the model does not predict. */
    public static double[][] residual(double[][] cost, double[][] predicted) {
        if (cost.length != predicted.length) {
            throw new IllegalArgumentException("residual of " + cost.length + " sampled and " + predicted.length
                    + " predicted cost rows");
        }
        double[][] r = new double[cost.length][];
        for (int i = 0; i < cost.length; i++) {
            if (cost[i].length != predicted[i].length) {
                throw new IllegalArgumentException("sample " + i + ": " + cost[i].length + " sampled and "
                        + predicted[i].length + " predicted costs");
            }
            r[i] = new double[cost[i].length];
            for (int t = 0; t < r[i].length; t++) {
                r[i][t] = cost[i][t] - predicted[i][t];
            }
        }
        return r;
    }

    /** The replayed y_t = [xh_t; uh_t], t = 0..T-1, of one sample. */
    static double[][] trajectory(LinearGaussianController controller, LinearGaussianDynamics dynamics, double[] x0,
                                 double[][] noise) {
        int horizon = controller.horizon();
        double[][] y = new double[horizon][];
        double[] x = x0.clone();
        for (int t = 0; t < horizon; t++) {
            double[] u = controller.act(t, x, noise[t]);
            y[t] = Vec.concat(x, u);
            if (t < horizon - 1) {
                x = dynamics.predict(t, x, u);
            }
        }
        return y;
    }

    private static double[][] requireShape(double[][] noise, int sample, int horizon, int dU) {
        if (noise.length != horizon) {
            throw new IllegalArgumentException("noise of sample " + sample + " has " + noise.length
                    + " steps, expected " + horizon);
        }
        for (int t = 0; t < horizon; t++) {
            if (noise[t].length != dU) {
                throw new IllegalArgumentException("noise of sample " + sample + " at step " + t + " has "
                        + noise[t].length + " values, expected " + dU);
            }
        }
        return noise;
    }
}

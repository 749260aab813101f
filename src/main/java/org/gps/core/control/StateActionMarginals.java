package org.gps.core.control;

import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * Gaussian marginals N(mu_t, Sigma_t) of y_t = [x_t; u_t] under a controller and linear-Gaussian
 * dynamics: the LQR forward pass of docs/algorithm.md section 6. Immutable.
 */
public final class StateActionMarginals implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dX;
    private final double[][] means;
    private final Mat[] covariances;

    private StateActionMarginals(int dX, double[][] means, Mat[] covariances) {
        this.dX = dX;
        this.means = means;
        this.covariances = covariances;
    }

    /** Given marginals (e.g. for tests): means and covariances of [x; u], one per step. */
    public static StateActionMarginals of(int stateDim, double[][] means, Mat[] covariances) {
        if (means.length == 0 || covariances.length != means.length) {
            throw new IllegalArgumentException("need T >= 1 means and as many covariances, got " + means.length + " and "
                    + covariances.length);
        }
        double[][] m = new double[means.length][];
        for (int t = 0; t < means.length; t++) {
            int n = means[t].length;
            if (n <= stateDim || covariances[t].rows() != n || covariances[t].cols() != n) {
                throw new IllegalArgumentException("step " + t + ": mean of " + n + " values and covariance "
                        + covariances[t].shape() + " for dX=" + stateDim);
            }
            m[t] = means[t].clone();
        }
        return new StateActionMarginals(stateDim, m, covariances.clone());
    }

    /** The forward pass for a model (docs/algorithm.md section 6). */
    public static StateActionMarginals forward(TrajectoryModel model, LinearGaussianController controller) {
        model.requireFits(controller, "the");
        return forward(model.dynamics(), model.initialState(), controller);
    }

    /**
     * The forward pass: from x0 ~ N(x0mu, x0sigma),
     * Sigma_t = [[Sxx, Sxx K^T], [K Sxx, K Sxx K^T + S_t]], mu_t = [mux; K mux + k],
     * Sxx_{t+1} = F_t Sigma_t F_t^T + dyn_covar_t, mux_{t+1} = F_t mu_t + f_t.
     */
    public static StateActionMarginals forward(LinearGaussianDynamics dynamics, InitialStateDistribution x0,
                                               LinearGaussianController controller) {
        int horizon = controller.horizon();
        int dX = controller.stateDim();
        if (dynamics.horizon() != horizon || dynamics.stateDim() != dX
                || dynamics.actionDim() != controller.actionDim() || x0.mean().length != dX) {
            throw new IllegalArgumentException("forward pass: controller (T=" + horizon + ", dX=" + dX + ", dU="
                    + controller.actionDim() + "), dynamics (T=" + dynamics.horizon() + ", dX=" + dynamics.stateDim()
                    + ", dU=" + dynamics.actionDim() + ") and x0 (" + x0.mean().length + ") disagree");
        }
        double[][] mu = new double[horizon][];
        Mat[] sigma = new Mat[horizon];
        double[] mux = x0.mean();
        Mat sxx = x0.covariance();
        for (int t = 0; t < horizon; t++) {
            sigma[t] = jointCovariance(sxx, controller, t);
            mu[t] = org.gps.core.linalg.Vec.concat(mux, controller.meanAction(t, mux));
            if (t < horizon - 1) {
                Mat f = dynamics.transition(t);
                sxx = f.times(sigma[t]).timesTranspose(f).plus(dynamics.covariance(t)).symmetrize();
                mux = dynamics.predict(t, org.gps.core.linalg.Vec.slice(mu[t], 0, dX),
                        org.gps.core.linalg.Vec.slice(mu[t], dX, mu[t].length));
            }
        }
        return new StateActionMarginals(dX, mu, sigma);
    }

    /**
     * The state marginals of these, each state acting through {@code controller} instead: what the
     * KL of a new controller is measured under when it is taken over the reference's states.
     */
    StateActionMarginals withActionsOf(LinearGaussianController controller) {
        int horizon = horizon();
        if (controller.horizon() != horizon || controller.stateDim() != dX) {
            throw new IllegalArgumentException("controller " + controller + " for marginals of T=" + horizon + ", dX="
                    + dX);
        }
        double[][] mu = new double[horizon][];
        Mat[] sigma = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            double[] mux = org.gps.core.linalg.Vec.slice(means[t], 0, dX);
            sigma[t] = jointCovariance(covariances[t].block(0, dX, 0, dX), controller, t);
            mu[t] = org.gps.core.linalg.Vec.concat(mux, controller.meanAction(t, mux));
        }
        return new StateActionMarginals(dX, mu, sigma);
    }

    /** [[Sxx, Sxx K^T], [K Sxx, K Sxx K^T + S_t]]: the covariance of [x; u] for u ~ p_t(u | x). */
    private static Mat jointCovariance(Mat sxx, LinearGaussianController controller, int t) {
        Mat gain = controller.gain(t);
        Mat sxxKt = sxx.timesTranspose(gain);
        Mat kSxxKt = gain.times(sxxKt).plus(controller.covariance(t)).symmetrize();
        return Mat.blocks(sxx, sxxKt, sxxKt.transpose(), kSxxKt);
    }

    public int horizon() {
        return means.length;
    }

    public int stateDim() {
        return dX;
    }

    /** mu_t = [E x_t; E u_t] (a copy). */
    public double[] mean(int t) {
        return means[t].clone();
    }

    /** Sigma_t, the covariance of [x_t; u_t]. */
    public Mat covariance(int t) {
        return covariances[t];
    }

    double[] rawMean(int t) {
        return means[t];
    }
}

package org.gps.core.dynamics;

import org.gps.core.linalg.Mat;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Fitted time-varying linear-Gaussian dynamics x_{t+1} ~ N(F_t [x_t; u_t] + f_t, covar_t) for
 * t = 0..T-2 (docs/algorithm.md section 4): the last step has no successor, so a model for horizon T
 * holds T-1 steps. Immutable.
 */
public final class LinearGaussianDynamics implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Mat[] f;
    private final double[][] offsets;
    private final Mat[] covariances;

    private LinearGaussianDynamics(Mat[] f, double[][] offsets, Mat[] covariances) {
        this.f = f;
        this.offsets = offsets;
        this.covariances = covariances;
    }

    /**
     * @param transitions F_t, each dX x (dX + dU), t = 0..T-2
     * @param offsets     f_t, each of length dX
     * @param covariances dyn_covar_t, each dX x dX
     */
    public static LinearGaussianDynamics of(Mat[] transitions, double[][] offsets, Mat[] covariances) {
        int steps = transitions.length;
        if (steps == 0 || offsets.length != steps || covariances.length != steps) {
            throw new IllegalArgumentException("dynamics need >= 1 step of F, f and covariance in equal count, got "
                    + transitions.length + ", " + offsets.length + ", " + covariances.length);
        }
        int dX = transitions[0].rows();
        int dXU = transitions[0].cols();
        double[][] o = new double[steps][];
        for (int t = 0; t < steps; t++) {
            if (transitions[t].rows() != dX || transitions[t].cols() != dXU) {
                throw new IllegalArgumentException("F[" + t + "] is " + transitions[t].shape() + ", expected " + dX + "x" + dXU);
            }
            if (offsets[t].length != dX) {
                throw new IllegalArgumentException("f[" + t + "] has " + offsets[t].length + " values, expected " + dX);
            }
            if (covariances[t].rows() != dX || covariances[t].cols() != dX) {
                throw new IllegalArgumentException("covariance[" + t + "] is " + covariances[t].shape() + ", expected "
                        + dX + "x" + dX);
            }
            o[t] = offsets[t].clone();
        }
        return new LinearGaussianDynamics(transitions.clone(), o, covariances.clone());
    }

    /** Number of fitted transitions, T-1. */
    public int steps() {
        return f.length;
    }

    /** The horizon T this model serves. */
    public int horizon() {
        return f.length + 1;
    }

    public int stateDim() {
        return f[0].rows();
    }

    public int actionDim() {
        return f[0].cols() - f[0].rows();
    }

    /** F_t, dX x (dX + dU). */
    public Mat transition(int t) {
        return f[t];
    }

    /** f_t (a copy). */
    public double[] offset(int t) {
        return offsets[t].clone();
    }

    public Mat covariance(int t) {
        return covariances[t];
    }

    /** Mean of x_{t+1} given x_t, u_t. */
    public double[] predict(int t, double[] x, double[] u) {
        double[] xu = org.gps.core.linalg.Vec.concat(x, u);
        double[] y = f[t].times(xu);
        for (int i = 0; i < y.length; i++) {
            y[i] += offsets[t][i];
        }
        return y;
    }

    /** Whether every number is finite: NaN dynamics must be named, not propagated (docs/algorithm.md section 6). */
    public boolean isFinite() {
        for (int t = 0; t < f.length; t++) {
            if (!f[t].isFinite() || !covariances[t].isFinite() || !org.gps.core.linalg.Vec.isFinite(offsets[t])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearGaussianDynamics d && Arrays.equals(d.f, f) && Arrays.deepEquals(d.offsets, offsets)
                && Arrays.equals(d.covariances, covariances);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(f) * 31 + Arrays.deepHashCode(offsets);
    }
}

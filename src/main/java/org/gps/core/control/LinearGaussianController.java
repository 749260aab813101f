package org.gps.core.control;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.NotPositiveDefiniteException;
import org.gps.core.sample.RolloutPolicy;

import java.io.Serializable;
import java.util.Arrays;

/**
 * A time-varying linear-Gaussian controller p(u_t | x_t) = N(K_t x_t + k_t, S_t), t = 0..T-1
 * (docs/algorithm.md, notation). Immutable; the Cholesky factor and the inverse of every S_t are
 * computed once here, and construction fails if an S_t is not symmetric positive definite.
 */
public final class LinearGaussianController implements Serializable, RolloutPolicy {
    private static final long serialVersionUID = 1L;
    /** Relative asymmetry tolerated in S_t: it is symmetrised anyway, this only catches wrong input. */
    private static final double SYMMETRY_TOL = 1e-8;

    private final Mat[] gains;
    private final double[][] offsets;
    private final Mat[] covariances;
    private final Mat[] choleskyFactors;
    private final Mat[] precisions;

    private LinearGaussianController(Mat[] gains, double[][] offsets, Mat[] covariances, Mat[] chol, Mat[] prec) {
        this.gains = gains;
        this.offsets = offsets;
        this.covariances = covariances;
        this.choleskyFactors = chol;
        this.precisions = prec;
    }

    /**
     * @param gains       K_t, each dU x dX
     * @param offsets     k_t, each of length dU
     * @param covariances S_t, each dU x dU, symmetric positive definite
     * @throws IllegalArgumentException naming t if shapes disagree or S_t is not SPD
     */
    public static LinearGaussianController of(Mat[] gains, double[][] offsets, Mat[] covariances) {
        int horizon = gains.length;
        if (horizon == 0 || offsets.length != horizon || covariances.length != horizon) {
            throw new IllegalArgumentException("controller needs T >= 1 gains, offsets and covariances of equal count, got "
                    + gains.length + ", " + offsets.length + ", " + covariances.length);
        }
        int dU = gains[0].rows();
        int dX = gains[0].cols();
        Mat[] k = gains.clone();
        double[][] o = new double[horizon][];
        Mat[] s = new Mat[horizon];
        Mat[] chol = new Mat[horizon];
        Mat[] prec = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            if (gains[t].rows() != dU || gains[t].cols() != dX) {
                throw new IllegalArgumentException("K[" + t + "] is " + gains[t].shape() + ", expected " + dU + "x" + dX);
            }
            if (offsets[t].length != dU) {
                throw new IllegalArgumentException("k[" + t + "] has " + offsets[t].length + " values, expected " + dU);
            }
            if (covariances[t].rows() != dU || covariances[t].cols() != dU) {
                throw new IllegalArgumentException("covariance[" + t + "] is " + covariances[t].shape() + ", expected "
                        + dU + "x" + dU);
            }
            if (!gains[t].isFinite() || !org.gps.core.linalg.Vec.isFinite(offsets[t])) {
                throw new IllegalArgumentException("K[" + t + "] or k[" + t + "] holds NaN or infinite values");
            }
            if (!covariances[t].isSymmetric(SYMMETRY_TOL)) {
                throw new IllegalArgumentException("covariance[" + t + "] is not symmetric");
            }
            s[t] = covariances[t].symmetrize();
            Cholesky c;
            try {
                c = Cholesky.of(s[t]);
            } catch (NotPositiveDefiniteException e) {
                throw new IllegalArgumentException("covariance[" + t + "] is not positive definite: " + e.getMessage(), e);
            }
            o[t] = offsets[t].clone();
            chol[t] = c.lower();
            prec[t] = c.inverse();
        }
        return new LinearGaussianController(k, o, s, chol, prec);
    }

    public int horizon() {
        return gains.length;
    }

    public int stateDim() {
        return gains[0].cols();
    }

    public int actionDim() {
        return gains[0].rows();
    }

    /** K_t. */
    public Mat gain(int t) {
        return gains[t];
    }

    /** k_t (a copy). */
    public double[] offset(int t) {
        return offsets[t].clone();
    }

    /** S_t. */
    public Mat covariance(int t) {
        return covariances[t];
    }

    /** Lower Cholesky factor of S_t. */
    public Mat choleskyFactor(int t) {
        return choleskyFactors[t];
    }

    /** S_t^{-1}. */
    public Mat precision(int t) {
        return precisions[t];
    }

    /** The mean action K_t x + k_t. */
    public double[] meanAction(int t, double[] x) {
        double[] u = gains[t].times(x);
        for (int i = 0; i < u.length; i++) {
            u[i] += offsets[t][i];
        }
        return u;
    }

    /** K_t x + k_t + chol(S_t) eps, with eps a standard normal draw of length dU. */
    public double[] act(int t, double[] x, double[] eps) {
        double[] u = meanAction(t, x);
        double[] noise = choleskyFactors[t].times(eps);
        for (int i = 0; i < u.length; i++) {
            u[i] += noise[i];
        }
        return u;
    }

    /** The controller without its noise, u = K_t x + k_t: what the optimiser planned, as a policy. */
    public RolloutPolicy meanPolicy() {
        return (RolloutPolicy & Serializable) (t, x, o, eps) -> meanAction(t, x);
    }

    /** The noise behind a controller's action; the observation is not used. */
    @Override
    public double[] unitNoise(int t, double[] x, double[] o, double[] u) {
        return unitNoise(t, x, u);
    }

    /**
     * The unit noise eps for which {@link #act(int, double[], double[])} at state x returns u: the
     * solution of L_t eps = u - K_t x - k_t by forward substitution. Runs store the commanded
     * actions, not the noise, so this is how an update recovers the noise the controller drew; it is
     * exact up to round-off when u is the commanded (unclipped) action at x.
     */
    public double[] unitNoise(int t, double[] x, double[] u) {
        if (u.length != actionDim()) {
            throw new IllegalArgumentException("action has " + u.length + " values, expected " + actionDim());
        }
        double[] r = meanAction(t, x);
        for (int i = 0; i < r.length; i++) {
            r[i] = u[i] - r[i];
        }
        Mat l = choleskyFactors[t];
        double[] eps = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            double s = r[i];
            for (int j = 0; j < i; j++) {
                s -= l.get(i, j) * eps[j];
            }
            eps[i] = s / l.get(i, i);
        }
        return eps;
    }

    /** Acts on the state; the observation is not used by a controller. */
    @Override
    public double[] act(int t, double[] x, double[] o, double[] eps) {
        return act(t, x, eps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearGaussianController c && Arrays.equals(c.gains, gains)
                && Arrays.deepEquals(c.offsets, offsets) && Arrays.equals(c.covariances, covariances);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(gains) * 31 + Arrays.deepHashCode(offsets);
    }

    @Override
    public String toString() {
        return "LinearGaussianController[T=" + horizon() + ", dX=" + stateDim() + ", dU=" + actionDim() + "]";
    }
}

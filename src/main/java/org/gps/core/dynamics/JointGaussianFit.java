package org.gps.core.dynamics;

import org.gps.core.BadInputException;
import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.SingularMatrixException;

/**
 * The prior-regularised joint Gaussian fit of docs/algorithm.md section 4 ({@code gauss_fit_joint_prior}
 * of the original) and its conditioning into a linear-Gaussian map. One implementation serves
 * the dynamics (rows [x_t, u_t, x_{t+1}]) and the policy linearization (rows [x_t, action]).
 */
public final class JointGaussianFit {
    private JointGaussianFit() {
    }

    /**
     * The MAP joint covariance and the empirical mean of the rows (equal weights 1/N):
     * Sigma = (N E + Phi + (N m / (N + m)) (mu - mu0)(mu - mu0)^T) / (N + n0), symmetrised, plus
     * {@code regularization} on the first {@code regularizedDims} diagonal entries.
     */
    public static Mat[] meanAndCovariance(double[][] rows, NiwPrior prior, int regularizedDims, double regularization) {
        int n = rows.length;
        int d = prior.dim();
        double[] mu = new double[d];
        for (double[] r : rows) {
            if (r.length != d) {
                throw new IllegalArgumentException("row of " + r.length + " values, the prior has dimension " + d);
            }
            for (int i = 0; i < d; i++) {
                mu[i] += r[i] / n;
            }
        }
        // Scatter N E = sum (y - mu)(y - mu)^T as one product of the centred rows.
        double[][] centred = new double[n][d];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < d; i++) {
                centred[j][i] = rows[j][i] - mu[i];
            }
        }
        Mat c = Mat.of(centred);
        Mat scatter = c.transposeTimes(c).symmetrize();
        double[] dm = new double[d];
        double[] mu0 = prior.mu0();
        for (int i = 0; i < d; i++) {
            dm[i] = mu[i] - mu0[i];
        }
        double m = prior.m();
        Mat sigma = scatter.plus(prior.phi()).plusScaled(n * m / (n + m), Mat.outer(dm, dm))
                .scale(1.0 / (n + prior.n0())).symmetrize();
        double[] reg = new double[d];
        for (int i = 0; i < regularizedDims; i++) {
            reg[i] = regularization;
        }
        return new Mat[] {Mat.column(mu), sigma.plusDiagonal(reg)};
    }

    /**
     * Fits the rows and conditions the last {@code d - inputDim} entries on the first
     * {@code inputDim}: gain = (Sigma_in,in^{-1} Sigma_in,out)^T, offset = mu_out - gain mu_in,
     * covariance = Sigma_out,out - gain Sigma_in,in gain^T (symmetrised).
     */
    public static ConditionalGaussian conditional(double[][] rows, int inputDim, NiwPrior prior, double regularization) {
        if (rows.length < 2) {
            throw new BadInputException("a prior-regularised fit needs at least 2 samples per time step, got "
                    + rows.length + " (use samples >= 2)");
        }
        Mat[] ms = meanAndCovariance(rows, prior, inputDim, regularization);
        double[] mu = ms[0].column(0);
        Mat sigma = ms[1];
        int d = prior.dim();
        Mat sInIn = sigma.block(0, inputDim, 0, inputDim);
        Mat sInOut = sigma.block(0, inputDim, inputDim, d);
        Mat gainT;
        Cholesky chol = Cholesky.tryOf(sInIn);
        if (chol != null) {
            gainT = chol.solve(sInOut);
        } else {
            try {
                gainT = sInIn.solve(sInOut);
            } catch (SingularMatrixException e) {
                throw new SingularMatrixException("joint Gaussian fit: the [x, u] covariance is singular even after "
                        + "regularization " + regularization + "; raise dynamics.regularization");
            }
        }
        Mat gain = gainT.transpose();
        double[] muIn = java.util.Arrays.copyOfRange(mu, 0, inputDim);
        double[] offset = java.util.Arrays.copyOfRange(mu, inputDim, d);
        double[] pred = gain.times(muIn);
        for (int i = 0; i < offset.length; i++) {
            offset[i] -= pred[i];
        }
        Mat cov = sigma.block(inputDim, d, inputDim, d).minus(gain.times(sInIn).timesTranspose(gain)).symmetrize();
        return new ConditionalGaussian(gain, offset, cov);
    }
}

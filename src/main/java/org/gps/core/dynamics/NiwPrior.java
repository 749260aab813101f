package org.gps.core.dynamics;

import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * A normal-inverse-Wishart prior as GPS uses it (docs/algorithm.md sections 3-5): mean mu0, scale
 * matrix Phi, and the pseudo-counts m (for the mean) and n0 (for the covariance).
 */
public record NiwPrior(double[] mu0, Mat phi, double m, double n0) implements Serializable {
    public NiwPrior {
        if (phi.rows() != mu0.length || phi.cols() != mu0.length) {
            throw new IllegalArgumentException("prior Phi " + phi.shape() + " does not match mu0 of " + mu0.length);
        }
        mu0 = mu0.clone();
    }

    @Override
    public double[] mu0() {
        return mu0.clone();
    }

    public int dim() {
        return mu0.length;
    }
}

package org.gps.core.dynamics;

import org.gps.core.linalg.Mat;

import java.io.Serializable;

/** The fitted initial-state distribution N(x0mu, x0sigma) of one condition (docs/algorithm.md section 5). Immutable. */
public record InitialStateDistribution(double[] mean, Mat covariance) implements Serializable {
    public InitialStateDistribution {
        if (covariance.rows() != mean.length || covariance.cols() != mean.length) {
            throw new IllegalArgumentException("x0 covariance " + covariance.shape() + " does not match mean of " + mean.length);
        }
        mean = mean.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }
}

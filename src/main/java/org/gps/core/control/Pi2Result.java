package org.gps.core.control;

import java.io.Serializable;

/**
 * Outcome of one PI2 update of one condition ({@link Pi2Update}).
 *
 * @param controller   the new controller: the base gains, the weighted mean feedforward terms and
 *                     the new covariances
 * @param temperatures eta_t per step, the temperature the step's weights were computed with (after
 *                     any raise that made its covariance positive definite)
 * @param weightKl     per step, the KL divergence of the weights used from uniform weights
 */
public record Pi2Result(LinearGaussianController controller, double[] temperatures, double[] weightKl)
        implements Serializable {
    public Pi2Result {
        temperatures = temperatures.clone();
        weightKl = weightKl.clone();
    }

    @Override
    public double[] temperatures() {
        return temperatures.clone();
    }

    @Override
    public double[] weightKl() {
        return weightKl.clone();
    }
}

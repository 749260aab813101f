package org.gps.core.control;

import java.io.Serializable;

/**
 * Options of the PI2 update ({@link Pi2Update}). Defaults ({@link #defaults()}) are those of the
 * original PI2 trajectory optimiser.
 *
 * @param klThreshold       epsilon, the bound on the KL divergence of each step's sample weights
 *                          from uniform weights (`kl_threshold`); above log N it never binds
 * @param covarianceDamping d: the new covariance is the base one rescaled by the d-th root of the
 *                          maximum-likelihood scale (`covariance_damping`); 0 switches damping
 *                          off and takes the weighted sample covariance itself
 * @param minTemperature    lower bound of each step's temperature, in cost units
 *                          (`min_temperature`)
 * @param del0              first temperature increment when a step's covariance comes out not
 *                          positive definite; it doubles after every further failure (`del0`)
 */
public record Pi2Options(double klThreshold, double covarianceDamping, double minTemperature, double del0)
        implements Serializable {

    public Pi2Options {
        require(klThreshold > 0 && Double.isFinite(klThreshold), "kl_threshold must be > 0, got " + klThreshold);
        require(covarianceDamping >= 0 && Double.isFinite(covarianceDamping),
                "covariance_damping must be >= 0 (0 = no damping), got " + covarianceDamping);
        require(minTemperature > 0 && minTemperature < Pi2Update.MAX_TEMPERATURE,
                "min_temperature must be > 0 and < " + Pi2Update.MAX_TEMPERATURE + ", got " + minTemperature);
        require(del0 > 0 && Double.isFinite(del0), "del0 must be > 0, got " + del0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public static Pi2Options defaults() {
        return new Pi2Options(1.0, 2.0, 0.001, 1e-4);
    }

    public Pi2Options withKlThreshold(double v) {
        return new Pi2Options(v, covarianceDamping, minTemperature, del0);
    }

    public Pi2Options withCovarianceDamping(double v) {
        return new Pi2Options(klThreshold, v, minTemperature, del0);
    }
}

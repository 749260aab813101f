package org.gps.core.policy;

import java.io.Serializable;

/**
 * One S-step target (docs/algorithm.md section 8): the normalised observation, the new controller's
 * mean action mu = K x + k there, its precision P = S^{-1} (row-major) and the target's weight.
 */
public record PolicyTarget(double[] observation, double[] mean, double[] precision, double weight)
        implements Serializable {
    public PolicyTarget {
        if (precision.length != mean.length * mean.length) {
            throw new IllegalArgumentException("precision of " + precision.length + " values for " + mean.length
                    + " actions");
        }
        if (!(weight >= 0)) {
            throw new IllegalArgumentException("target weight must be >= 0, got " + weight);
        }
        observation = observation.clone();
        mean = mean.clone();
        precision = precision.clone();
    }

    /** Packed as one vector [o, mu, P, w], the form MLlib's optimisers pass around. */
    public double[] packed() {
        double[] v = new double[observation.length + mean.length + precision.length + 1];
        System.arraycopy(observation, 0, v, 0, observation.length);
        System.arraycopy(mean, 0, v, observation.length, mean.length);
        System.arraycopy(precision, 0, v, observation.length + mean.length, precision.length);
        v[v.length - 1] = weight;
        return v;
    }
}

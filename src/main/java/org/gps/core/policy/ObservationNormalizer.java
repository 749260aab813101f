package org.gps.core.policy;

import java.io.Serializable;

/**
 * The policy's fixed input normalisation (docs/algorithm.md section 8): scale = 1 / max(std, 1e-3),
 * bias = -mean * scale, per observation dimension, computed once at the first policy update and
 * kept afterwards, so the network always sees inputs on the same scale.
 */
public record ObservationNormalizer(double[] scale, double[] bias) implements Serializable {
    /** Floor of the standard deviation: a constant observation dimension is not blown up. */
    public static final double MIN_STD = 1e-3;

    public ObservationNormalizer {
        if (scale.length != bias.length) {
            throw new IllegalArgumentException("scale and bias of different lengths");
        }
        scale = scale.clone();
        bias = bias.clone();
    }

    /** From the observations' mean and (population) standard deviation per dimension. */
    public static ObservationNormalizer fromMoments(double[] mean, double[] std) {
        double[] scale = new double[mean.length];
        double[] bias = new double[mean.length];
        for (int i = 0; i < mean.length; i++) {
            scale[i] = 1.0 / Math.max(std[i], MIN_STD);
            bias[i] = -mean[i] * scale[i];
        }
        return new ObservationNormalizer(scale, bias);
    }

    public double[] apply(double[] o) {
        if (o.length != scale.length) {
            throw new IllegalArgumentException("observation of " + o.length + " values, expected " + scale.length);
        }
        double[] out = new double[o.length];
        for (int i = 0; i < o.length; i++) {
            out[i] = o[i] * scale[i] + bias[i];
        }
        return out;
    }

    @Override
    public double[] scale() {
        return scale.clone();
    }

    @Override
    public double[] bias() {
        return bias.clone();
    }
}

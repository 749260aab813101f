package org.gps.core.policy;

import org.gps.core.sample.RolloutPolicy;

import java.io.Serializable;

/**
 * The neural policy pi(u | o) = N(f(normalise(o)), diag(variance)) (docs/algorithm.md section 8): the
 * MLP, its fixed observation normalisation and the diagonal action variance. Immutable.
 */
public record Policy(Mlp network, ObservationNormalizer normalizer, double[] variance)
        implements Serializable, RolloutPolicy {
    public Policy {
        if (normalizer.scale().length != network.inputDim()) {
            throw new IllegalArgumentException("normalisation of " + normalizer.scale().length
                    + " observation values for a network taking " + network.inputDim());
        }
        if (variance.length != network.outputDim()) {
            throw new IllegalArgumentException(variance.length + " action variances for " + network.outputDim()
                    + " actions");
        }
        for (double v : variance) {
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("action variances must be finite and > 0, got " + v);
            }
        }
        variance = variance.clone();
    }

    /** The mean action for a raw (unnormalised) observation. */
    public double[] meanAction(double[] observation) {
        return network.apply(normalizer.apply(observation));
    }

    /** {@link #meanAction} for each of {@code observations}, the same numbers, the network run on blocks of them. */
    public double[][] meanActions(double[][] observations) {
        double[][] inputs = new double[observations.length][];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = normalizer.apply(observations[i]);
        }
        return network.applyAll(inputs);
    }

    /** Samples u = f(o) + sqrt(variance) eps: how the policy explores when rollouts are drawn from it. */
    @Override
    public double[] act(int t, double[] x, double[] o, double[] eps) {
        double[] u = meanAction(o);
        for (int i = 0; i < u.length; i++) {
            u[i] += Math.sqrt(variance[i]) * eps[i];
        }
        return u;
    }

    /** The eps with u = f(o) + sqrt(variance) eps, per action dimension. */
    @Override
    public double[] unitNoise(int t, double[] x, double[] o, double[] u) {
        double[] mean = meanAction(o);
        if (u.length != mean.length) {
            throw new IllegalArgumentException(u.length + " actions for a policy of " + mean.length);
        }
        double[] eps = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            eps[i] = (u[i] - mean[i]) / Math.sqrt(variance[i]);
        }
        return eps;
    }

    /** The noise-free policy, u = f(o): what deployment and evaluation run. */
    public RolloutPolicy deterministic() {
        return (RolloutPolicy & Serializable) (t, x, o, eps) -> meanAction(o);
    }

    @Override
    public double[] variance() {
        return variance.clone();
    }
}

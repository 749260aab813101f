package org.gps.core.sample;

/**
 * What acts during a rollout: a linear-Gaussian controller (on the state x) or, later, the neural
 * policy (on the observation o). {@code eps} is a standard normal draw of length dU that the
 * policy turns into its own exploration noise, so the caller owns the random stream.
 */
@FunctionalInterface
public interface RolloutPolicy {
    double[] act(int t, double[] x, double[] o, double[] eps);
}

package org.gps.core.sample;

/**
 * What acts during a rollout: a linear-Gaussian controller (on the state x) or, later, the neural
 * policy (on the observation o). {@code eps} is a standard normal draw of length dU that the
 * policy turns into its own exploration noise, so the caller owns the random stream.
 */
@FunctionalInterface
public interface RolloutPolicy {
    double[] act(int t, double[] x, double[] o, double[] eps);

    /**
     * The unit noise eps for which {@link #act} returns {@code u} at (t, x, o): what a sample-based
     * C-step replays. Runs record the commanded action, so a policy whose action is an invertible
     * affine function of eps recovers the draw exactly, up to round-off.
     *
     * @throws UnsupportedOperationException for a policy that cannot invert its noise
     */
    default double[] unitNoise(int t, double[] x, double[] o, double[] u) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot recover the noise behind an action");
    }
}

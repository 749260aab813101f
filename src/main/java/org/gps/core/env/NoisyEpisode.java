package org.gps.core.env;

import java.io.Serializable;

/**
 * The episode an environment with additive process noise is in: its state, the episode's seed and
 * the step index. One home for what {@link PointMass}, {@link TwoLinkArm} and {@link LinearSystem}
 * share: reset, the noisy transition x' = mean + noise(seed, t), and the refusal of a step or a
 * state before the first reset.
 */
final class NoisyEpisode implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String environment;
    private final int stateDim;
    private final ProcessNoise noise;
    private double[] x;
    private long seed;
    private long t;

    /** @param environment how messages name the environment, e.g. "point mass" */
    NoisyEpisode(String environment, int stateDim, ProcessNoise noise) {
        this.environment = environment;
        this.stateDim = stateDim;
        this.noise = noise;
    }

    ProcessNoise noise() {
        return noise;
    }

    void reset(double[] x0, long seed) {
        Check.length("x0", x0, stateDim);
        this.x = x0.clone();
        this.seed = seed;
        this.t = 0;
    }

    /** The current state itself (not a copy): for the environment's own step to read. */
    double[] current() {
        if (x == null) {
            throw new IllegalStateException(environment + ": call reset before step or state");
        }
        return x;
    }

    /** Moves to {@code mean} plus this step's noise ({@code mean} is taken over, not copied). */
    void advance(double[] mean) {
        current();
        noise.addTo(mean, seed, t);
        x = mean;
        t++;
    }

    /** A copy of the current state. */
    double[] state() {
        return current().clone();
    }
}

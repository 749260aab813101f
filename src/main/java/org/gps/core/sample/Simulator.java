package org.gps.core.sample;

import org.gps.core.env.Environment;
import org.gps.core.random.Seeds;

import java.util.SplittableRandom;

/**
 * Runs one policy in one environment from one initial state (step 1 of an iteration),
 * recording both the action the policy commanded and the one the plant applied (the command
 * clipped to the environment's limits).
 */
public final class Simulator {
    private Simulator() {
    }

    /** {@link #rollout(Environment, double[], RolloutPolicy, int, long, ExplorationNoise)} with white noise. */
    public static Trajectory rollout(Environment env, double[] x0, RolloutPolicy policy, int horizon, long seed) {
        return rollout(env, x0, policy, horizon, seed, ExplorationNoise.WHITE);
    }

    /**
     * @param seed  drives both the exploration noise and the environment's own noise, through
     *              separate derived streams, so the same seed reproduces the trajectory exactly
     * @param noise how the exploration noise is drawn (white, or smoothed along the rollout)
     */
    public static Trajectory rollout(Environment env, double[] x0, RolloutPolicy policy, int horizon, long seed,
                                     ExplorationNoise noise) {
        int dU = env.actionDim();
        double[][] eps = noise.draw(new SplittableRandom(Seeds.derive(seed, "action-noise")), horizon, dU);
        env.reset(x0, Seeds.derive(seed, "env-noise"));
        double[][] xs = new double[horizon][];
        double[][] us = new double[horizon][];
        double[][] applied = new double[horizon][];
        double[][] os = new double[horizon][];
        for (int t = 0; t < horizon; t++) {
            double[] x = env.state();
            double[] o = env.observation();
            double[] u = policy.act(t, x, o, eps[t]);
            if (u.length != dU) {
                throw new IllegalStateException("policy returned " + u.length + " actions, the environment takes " + dU);
            }
            xs[t] = x;
            os[t] = o;
            us[t] = u;
            // Asked before the step, from the same command the step receives; it draws no noise.
            applied[t] = env.appliedAction(u);
            env.step(u);
        }
        return new Trajectory(xs, us, os, applied);
    }
}

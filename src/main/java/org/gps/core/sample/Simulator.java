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

    /**
     * @param seed drives both the exploration noise and the environment's own noise, through
     *             separate derived streams, so the same seed reproduces the trajectory exactly
     */
    public static Trajectory rollout(Environment env, double[] x0, RolloutPolicy policy, int horizon, long seed) {
        int dU = env.actionDim();
        SplittableRandom noise = new SplittableRandom(Seeds.derive(seed, "action-noise"));
        env.reset(x0, Seeds.derive(seed, "env-noise"));
        double[][] xs = new double[horizon][];
        double[][] us = new double[horizon][];
        double[][] applied = new double[horizon][];
        double[][] os = new double[horizon][];
        for (int t = 0; t < horizon; t++) {
            double[] x = env.state();
            double[] o = env.observation();
            double[] eps = new double[dU];
            for (int i = 0; i < dU; i++) {
                eps[i] = noise.nextGaussian();
            }
            double[] u = policy.act(t, x, o, eps);
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

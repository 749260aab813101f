package org.gps.core.env;

import java.io.Serializable;

/**
 * A simulator that GPS samples rollouts from (docs/architecture.md "Environments", docs/algorithm.md section 12).
 *
 * <p>An environment is a small mutable object: {@link #reset} starts an episode and {@link #step}
 * advances it. Its configuration is immutable and {@link Serializable}, so a configured
 * environment can be shipped to Spark executors; each task should own its instance (or build one
 * with {@link Environments#create}) because the episode state is not thread-safe. Process noise is
 * a pure function of the episode seed and the step index, so an environment serialized in the
 * middle of an episode continues with the same noise.
 *
 * <p>Vectors: x is the state the dynamics act on (dX), u the action (dU), o what the policy sees
 * (dO). Arrays passed in are never kept; arrays returned are copies.
 */
public interface Environment extends Serializable {

    /** The config type name, e.g. {@code "pendulum"}, {@code "linear"}, {@code "point_mass"}, {@code "two_link_arm"}. */
    String name();

    int stateDim();

    int actionDim();

    int observationDim();

    /**
     * Turns an initial state as written in a config (a condition) into the state x0.
     *
     * @param configured the numbers from the config; some environments accept a shorter form
     *                   (see each implementation)
     * @param key        where the numbers came from, used in the error message, e.g.
     *                   {@code "conditions[1].x0"}
     * @throws org.gps.core.BadInputException naming {@code key} when the length or a value is wrong
     */
    double[] initialState(double[] configured, String key);

    /** {@link #initialState(double[], String)} with a generic key in the message. */
    default double[] initialState(double[] configured) {
        return initialState(configured, "initial state");
    }

    /**
     * Starts an episode at {@code x0} (length dX). {@code seed} drives any process noise: the same
     * x0, seed and actions give the same trajectory bit for bit.
     */
    void reset(double[] x0, long seed);

    /** Advances one time step with action {@code u} (length dU). */
    void step(double[] u);

    /**
     * The box of actions the plant applies (it clips what lies outside, as Pendulum clips the
     * torque); empty when actions are not limited.
     */
    default java.util.Optional<org.gps.core.control.ActionBounds> actionBounds() {
        return java.util.Optional.empty();
    }

    /** The action the plant applies when commanded {@code u} (a copy): {@code u} clipped to {@link #actionBounds}. */
    default double[] appliedAction(double[] u) {
        return actionBounds().map(b -> b.clip(u)).orElseGet(u::clone);
    }

    /** A copy of the current state x. */
    double[] state();

    /** A copy of the current observation o. */
    double[] observation();

    /**
     * The environment's native reward of one step, as a function of the state before the step
     * and the action (e.g. Gym's for Pendulum). It does not depend on the episode in progress.
     */
    double reward(double[] x, double[] u);

    /**
     * One draw of the environment's own start distribution as a state x0 (Gym's for Pendulum), the
     * starts a trained policy is scored from; empty when the environment defines none.
     */
    default java.util.Optional<double[]> drawStart(java.util.SplittableRandom rng) {
        return java.util.Optional.empty();
    }

    /**
     * How many independent uniform numbers one draw of the start distribution ({@link #drawStart})
     * is a function of; 0 when the environment defines no start distribution or not as such a function.
     */
    default int startDimension() {
        return 0;
    }

    /**
     * The start that the point {@code u} of the unit cube [0, 1)^{@link #startDimension()} maps to:
     * {@link #drawStart} is this map applied to independent uniform draws, so points spread evenly
     * over the cube give starts spread evenly over the distribution.
     */
    default double[] startAt(double[] u) {
        throw new UnsupportedOperationException(name() + " defines no start distribution as a map of the unit cube");
    }
}

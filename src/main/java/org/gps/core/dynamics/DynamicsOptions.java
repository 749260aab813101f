package org.gps.core.dynamics;

import org.gps.core.gmm.GmmOptions;

import java.io.Serializable;

/**
 * Settings of the dynamics step (docs/algorithm.md sections 3-5). The cluster rule's defaults are the
 * original's example experiments' (max_clusters 20, min_samples_per_cluster 40; its library
 * default is 50 and 20); max_samples 20 trajectories per prior window, kept whole (the original keeps
 * max_samples - 1 by an off-by-one).
 *
 * @param sharedPrior         one GMM over all conditions' points instead of one per condition
 * @param maxClusters         upper bound on K
 * @param minSamplesPerCluster K = max(2, min(maxClusters, floor(points / this)))
 * @param maxSamples          the prior's window: the last this-many trajectories per GMM
 * @param strength            scales the prior's m and n0
 * @param regularization      added to the [x, u] diagonal of each per-step joint covariance
 * @param initialStateVar     floor of the x0 variances
 * @param em                  EM settings; its seed is the base that each fit's seed derives from
 * @param inTaskMaxPoints     GMMs fitted on at most this many points run their whole EM inside one
 *                            Spark task each (one job for all of them); larger ones run one
 *                            distributed pass per EM iteration, their points spread over executors;
 *                            a fit set of at most this many rows has all its per-step fits in one task
 * @param action              which action the GMM prior's points and the per-step fits take as u_t
 */
public record DynamicsOptions(boolean sharedPrior, int maxClusters, int minSamplesPerCluster, int maxSamples,
                              double strength, double regularization, double initialStateVar, GmmOptions em,
                              long inTaskMaxPoints, Action action)
        implements Serializable {
    /**
     * The action a transition is fitted on. A plant with limits applies the command clipped to
     * them, so beyond a limit the commanded action has no effect that a linear model could fit.
     */
    public enum Action {
        /** u, what the controller or policy commanded (the original's choice, and the default). */
        COMMANDED,
        /** u_applied, what the plant applied; the rollouts must record it. */
        APPLIED;

        /** The name in configs and on the command line. */
        public String configName() {
            return org.gps.core.ConfigNames.of(this);
        }

        /** @throws IllegalArgumentException for a name other than commanded or applied */
        public static Action fromConfigName(String s) {
            for (Action a : values()) {
                if (a.configName().equals(s)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("expected commanded or applied, got '" + s + "'");
        }
    }

    /** A condition's window is at most max_samples x T points: 20 x 500 fits under this. */
    public static final long DEFAULT_IN_TASK_MAX_POINTS = 10_000;

    public DynamicsOptions(boolean sharedPrior, int maxClusters, int minSamplesPerCluster, int maxSamples,
                           double strength, double regularization, double initialStateVar, GmmOptions em) {
        this(sharedPrior, maxClusters, minSamplesPerCluster, maxSamples, strength, regularization, initialStateVar, em,
                DEFAULT_IN_TASK_MAX_POINTS);
    }

    /** Fits on the commanded action. */
    public DynamicsOptions(boolean sharedPrior, int maxClusters, int minSamplesPerCluster, int maxSamples,
                           double strength, double regularization, double initialStateVar, GmmOptions em,
                           long inTaskMaxPoints) {
        this(sharedPrior, maxClusters, minSamplesPerCluster, maxSamples, strength, regularization, initialStateVar, em,
                inTaskMaxPoints, Action.COMMANDED);
    }

    public DynamicsOptions {
        java.util.Objects.requireNonNull(action, "action");
        if (maxClusters < 2 || minSamplesPerCluster < 1 || maxSamples < 2) {
            throw new IllegalArgumentException("need max_clusters >= 2, min_samples_per_cluster >= 1, max_samples >= 2");
        }
        if (!(strength > 0) || !(regularization >= 0) || !(initialStateVar >= 0)) {
            throw new IllegalArgumentException("need strength > 0, regularization >= 0, initial_state_var >= 0");
        }
    }

    public static DynamicsOptions defaults(long seed) {
        return new DynamicsOptions(false, 20, 40, 20, 1.0, 1e-6, 1e-6, GmmOptions.defaults(seed));
    }

    public DynamicsOptions withSeed(long seed) {
        return new DynamicsOptions(sharedPrior, maxClusters, minSamplesPerCluster, maxSamples, strength, regularization,
                initialStateVar, em.withSeed(seed), inTaskMaxPoints, action);
    }

    public DynamicsOptions withInTaskMaxPoints(long n) {
        return new DynamicsOptions(sharedPrior, maxClusters, minSamplesPerCluster, maxSamples, strength, regularization,
                initialStateVar, em, n, action);
    }

    public DynamicsOptions withAction(Action a) {
        return new DynamicsOptions(sharedPrior, maxClusters, minSamplesPerCluster, maxSamples, strength, regularization,
                initialStateVar, em, inTaskMaxPoints, a);
    }
}

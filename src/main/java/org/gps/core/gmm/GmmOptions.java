package org.gps.core.gmm;

import java.io.Serializable;

/**
 * EM settings (docs/algorithm.md section 3), defaults from the original implementation.
 *
 * @param maxIterations  at most this many EM iterations (config key `em_max_iterations`)
 * @param tolerance      stop when |LL - LL_prev| < tolerance |LL|, LL the mean log-likelihood
 *                       per point (`em_tolerance`; the original compares against 1e-5 LL, which never
 *                       holds for a negative LL)
 * @param ridge          added to every covariance's diagonal after the M-step ({@code 1e-6})
 * @param initialRidge   added to the initial covariances ({@code 2e-6})
 * @param rebootMass     clusters with mass below rebootMass / K restart from all points ({@code 1e-4})
 * @param seed           seeds the random initial assignment
 * @param warmStart      start from the previous model when it has the same number of clusters
 * @param initialization how a cold start picks its first model
 */
public record GmmOptions(int maxIterations, double tolerance, double ridge, double initialRidge, double rebootMass,
                         long seed, boolean warmStart, Initialization initialization) implements Serializable {
    /**
     * {@code RANDOM_ASSIGNMENT} is the original's: a random cluster per point, each cluster's mean
     * and (1/K)-scaled scatter. Random subsets all have nearly the global moments, so EM starts
     * near the symmetric saddle where every cluster is the global Gaussian; the original escapes
     * it only because its broken stopping rule forces 100 iterations. With the corrected rule EM
     * stops there after two or three on separated clusters of a few hundred points each (three
     * Gaussians of 400 points: all K clusters equal, LL stuck at the single-Gaussian value). On
     * the dynamics windows measured (docs/benchmarks.md, "Held-out dynamics quality and the EM
     * start") its dynamics predicted held-out transitions best on linear systems, where a prior
     * near the global Gaussian is the right one, and no better than the other starts on Pendulum
     * and a two-link arm.
     * {@code SAMPLED_MEANS} breaks the symmetry: k-means++ over 4K uniformly sampled points picks
     * the means, covariances start at the global one / K. {@code KMEANS} refines those means by a
     * few Lloyd passes over all the points and takes the masses from the final assignment (one pass
     * costs K D per point, an E-step 2 K D^2): EM then needs 3-4x fewer iterations than from the
     * sampled means (24 GMMs of D = 59, K = 20: 179 in all instead of 690) and reaches a higher
     * in-sample log-likelihood, but its dynamics predict held-out transitions worse: the Lloyd
     * passes isolate the tight group that all trajectories of a condition form over a few steps
     * (the common start, the settled end) as a cluster of fewer than D + 1 points, whose
     * covariance is singular, and that cluster alone then makes the prior of those steps, nearly
     * noise-free in the directions the few samples do not span. Held-out error on linear systems
     * of D = 12, 18 and 59: 2-18%, 6-15% and 65% above the random assignment's, the sampled
     * means' 1-8%, 1-3% and 4%; on Pendulum and the arm (D = 7 and 10) no start predicted better
     * than the others beyond the spread over held-out sets. On the benchmark's shared GMM of a
     * million logged points the k-means start also costs time: 66 EM iterations instead of 38,
     * each a Spark job over all the points, as is each Lloyd pass.
     * {@code AUTO}, the default, decides by the points per cluster ({@link #resolve}): the random
     * assignment where a cluster gets at most {@link #RANDOM_ASSIGNMENT_POINTS_PER_DIMENSION} D
     * points, the sampled means otherwise. A random cluster's moments differ from the global ones by
     * their sampling noise, large when a cluster holds few points for its dimension: EM then leaves
     * the symmetric start at once and ends in few iterations, and it is there that the random
     * assignment's dynamics predicted held-out transitions best (D = 18 and 59). With many points per
     * cluster the random clusters start nearly equal: EM creeps away from the saddle in more
     * iterations than from the sampled means (a million logged points under one GMM), or stalls on
     * it (separated clusters). docs/benchmarks.md, "The EM start by default".
     */
    public enum Initialization {
        AUTO, KMEANS, SAMPLED_MEANS, RANDOM_ASSIGNMENT;

        /** {@code AUTO} takes the random assignment up to this many points per cluster and dimension. */
        public static final int RANDOM_ASSIGNMENT_POINTS_PER_DIMENSION = 3;

        /**
         * The start a GMM of K clusters over {@code points} points of dimension D uses: {@code AUTO}
         * becomes {@link #RANDOM_ASSIGNMENT} when points <= 3 D K, else {@link #SAMPLED_MEANS}; the
         * others stay as they are.
         */
        public Initialization resolve(long points, int dim, int clusters) {
            if (this != AUTO) {
                return this;
            }
            return points <= (long) RANDOM_ASSIGNMENT_POINTS_PER_DIMENSION * dim * clusters
                    ? RANDOM_ASSIGNMENT : SAMPLED_MEANS;
        }

        /** The name in configs and on the command line: {@code auto}, {@code kmeans}, {@code sampled_means}, {@code random_assignment}. */
        public String configName() {
            return org.gps.core.ConfigNames.of(this);
        }

        /** Every {@link #configName()}, in declaration order. */
        public static String[] configNames() {
            return org.gps.core.ConfigNames.all(Initialization.class);
        }

        /** The start named {@code name} ({@link #configName()}); IllegalArgumentException for any other. */
        public static Initialization fromConfigName(String name) {
            return org.gps.core.ConfigNames.parse(Initialization.class, name);
        }
    }

    public GmmOptions {
        if (maxIterations < 1) {
            throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
        }
        if (!(tolerance >= 0) || !(ridge >= 0) || !(initialRidge >= 0) || !(rebootMass >= 0)) {
            throw new IllegalArgumentException("tolerance, ridge, initialRidge and rebootMass must be >= 0");
        }
        if (initialization == null) {
            throw new IllegalArgumentException("initialization must be given");
        }
    }

    public static GmmOptions defaults(long seed) {
        return new GmmOptions(100, 1e-5, 1e-6, 2e-6, 1e-4, seed, true, Initialization.AUTO);
    }

    public GmmOptions withSeed(long s) {
        return new GmmOptions(maxIterations, tolerance, ridge, initialRidge, rebootMass, s, warmStart, initialization);
    }

    public GmmOptions withInitialization(Initialization i) {
        return new GmmOptions(maxIterations, tolerance, ridge, initialRidge, rebootMass, seed, warmStart, i);
    }
}

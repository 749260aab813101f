package org.gps.core.gmm;

import java.io.Serializable;

/**
 * EM settings (docs/algorithm.md section 3), defaults from the original implementation.
 *
 * @param maxIterations  at most this many EM iterations ({@code 100})
 * @param tolerance      stop when |LL - LL_prev| < tolerance |LL|, LL the mean log-likelihood
 *                       per point ({@code 1e-5}; the original compares against 1e-5 LL, which never
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
     * and (1/K)-scaled scatter. Random subsets all have nearly the global moments, so EM starts at
     * the symmetric saddle where every cluster is the global Gaussian; the original escapes it only
     * because its broken stopping rule forces 100 iterations. With the corrected rule EM stops
     * there after two (measured on three separated Gaussians: all K clusters equal, LL stuck at the
     * single-Gaussian value). {@code SAMPLED_MEANS} breaks the symmetry: k-means++
     * over 4K uniformly sampled points picks the means, covariances start at the global one / K.
     * {@code KMEANS} refines those means by a few Lloyd passes over all the points and takes the
     * masses from the final assignment (one pass costs K D per point, an E-step 2 K D^2): on a
     * condition's window EM then needs 3-4x fewer iterations and ends no lower on average (24 GMMs
     * of the benchmark's D = 59, K = 20 points: 179 iterations in all instead of 690, mean
     * log-likelihood per point 105.1 instead of 103.5; single GMMs land in either start's better
     * optimum). On the benchmark's shared GMM of a million logged points it does the opposite: 66
     * EM iterations instead of 38 (log-likelihood per point 69.63 against 69.58), each a Spark job
     * over all the points, as is each Lloyd pass. {@code AUTO}, the default, therefore takes
     * {@code KMEANS} for a GMM whose EM runs inside one task and {@code SAMPLED_MEANS} for one
     * whose passes are distributed ({@link #resolve}).
     */
    public enum Initialization {
        AUTO, KMEANS, SAMPLED_MEANS, RANDOM_ASSIGNMENT;

        /**
         * The start a GMM uses: {@code AUTO} becomes {@link #SAMPLED_MEANS} when its EM passes are
         * distributed jobs and {@link #KMEANS} when its EM runs in one task or locally; the
         * others stay as they are.
         */
        public Initialization resolve(boolean distributedPasses) {
            if (this != AUTO) {
                return this;
            }
            return distributedPasses ? SAMPLED_MEANS : KMEANS;
        }

        /** The name in configs and on the command line: {@code auto}, {@code kmeans}, {@code sampled_means}, {@code random_assignment}. */
        public String configName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Every {@link #configName()}, in declaration order. */
        public static String[] configNames() {
            return java.util.Arrays.stream(values()).map(Initialization::configName).toArray(String[]::new);
        }

        /** The start named {@code name} ({@link #configName()}); IllegalArgumentException for any other. */
        public static Initialization fromConfigName(String name) {
            for (Initialization i : values()) {
                if (i.configName().equals(name)) {
                    return i;
                }
            }
            throw new IllegalArgumentException("expected one of " + String.join(", ", configNames()) + ", got '"
                    + name + "'");
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

    /** These options with {@link Initialization#AUTO} resolved ({@link Initialization#resolve}). */
    public GmmOptions resolvedFor(boolean distributedPasses) {
        return withInitialization(initialization.resolve(distributedPasses));
    }

    public GmmOptions withInitialization(Initialization i) {
        return new GmmOptions(maxIterations, tolerance, ridge, initialRidge, rebootMass, seed, warmStart, i);
    }
}

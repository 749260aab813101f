package org.gps.core.gmm;

/**
 * Work arrays of {@link Gmm#expectation}, one set per thread and reused (EM ran its E-step on new
 * K x n arrays every iteration), and what it hands {@link EmStatistics}: the log-likelihood, and
 * per cluster its posterior weight and the points whose posterior counts for its moments.
 */
final class EStep {
    private static final ThreadLocal<EStep> SCRATCH = ThreadLocal.withInitial(EStep::new);

    /** The running sum of the points' log densities, from the value the caller started it at. */
    double logLikelihood;
    /** Per cluster the sum of its posteriors over the block, in point order. */
    double[] weight = new double[0];
    /** Per cluster k, how many points of the block {@link #selected} holds from k n on. */
    int[] count = new int[0];
    /** Per cluster k, from k n: the points whose posterior exceeds the moments' threshold, in order. */
    int[] selected = new int[0];
    /** Their posteriors, at the same indices. */
    double[] selectedWeight = new double[0];

    /** One chunk's log joints (K x chunk), per point the largest, the sum of exps and its inverse. */
    double[] logJoint = new double[0];
    double[] max = new double[0];
    double[] sum = new double[0];
    /** Per cluster k, from k chunk: the chunk's points whose exp was taken, and the exps. */
    int[] terms = new int[0];
    double[] termValue = new double[0];
    int[] termCount = new int[0];

    /**
     * Largest K n whose arrays a thread keeps: blocks are of 512 points where the pipeline makes
     * them, but a caller of {@link GmmEm} may pass one of millions, whose arrays should not
     * outlive its E-step.
     */
    private static final int KEPT_ENTRIES = 1 << 18;

    /** Arrays for an E-step of K clusters over n points: the thread's own unless they are large. */
    static EStep get(int clusters, int n) {
        return (long) clusters * n <= KEPT_ENTRIES ? SCRATCH.get() : new EStep();
    }

    /** Sizes the arrays for K clusters, n points and chunks of {@code chunk}, and zeroes the per-cluster sums. */
    void prepare(int clusters, int n, int chunk) {
        if (weight.length < clusters) {
            weight = new double[clusters];
            count = new int[clusters];
            termCount = new int[clusters];
        }
        java.util.Arrays.fill(weight, 0, clusters, 0.0);
        java.util.Arrays.fill(count, 0, clusters, 0);
        if (selected.length < clusters * n) {
            selected = new int[clusters * n];
            selectedWeight = new double[clusters * n];
        }
        if (logJoint.length < clusters * chunk) {
            logJoint = new double[clusters * chunk];
            terms = new int[clusters * chunk];
            termValue = new double[clusters * chunk];
        }
        if (max.length < chunk) {
            max = new double[chunk];
            sum = new double[chunk];
        }
    }
}

package org.gps.core.gmm;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.NotPositiveDefiniteException;

import java.util.ArrayList;
import java.util.List;

/**
 * EM for one GMM as a state machine driven from outside: the caller computes the statistics of a
 * pass (locally, or on Spark executors for many groups at once) and hands them in; this class
 * does the M-step and the stopping rule of docs/algorithm.md section 3 on the driver. Keeping the
 * passes outside is what lets M conditions' EM runs share each Spark job.
 *
 * <p>MLlib's {@code GaussianMixture} is not used: it has no covariance ridge, no reboot of
 * small clusters, no warm start from a given model and no seeded per-point initial assignment,
 * and it cannot run several independent mixtures in one pass.
 */
public final class EmRun {
    static final int CANDIDATES_PER_CLUSTER = 4;
    /**
     * Lloyd passes of the k-means start stop after this many, or when a pass lowers the k-means
     * objective by less than {@link #KMEANS_TOLERANCE} of it. On the benchmark's linear-system
     * points (D = 59, K = 20) 5-10 passes cut the EM iterations that follow from 15-46 to 5-14
     * per GMM (KMeansStartTest).
     */
    static final int KMEANS_MAX_PASSES = 10;
    static final double KMEANS_TOLERANCE = 1e-3;

    private final int clusters;
    private final Moments global;
    private final GmmOptions options;
    /** The cold start taken: {@code auto} resolved for this group's size ({@link GmmOptions.Initialization#resolve}). */
    private final GmmOptions.Initialization start;
    private final boolean warmStarted;
    private final List<Double> trace = new ArrayList<>();
    private Gmm current;
    /** Centres of the k-means start while its Lloyd passes run; null otherwise. */
    private double[][] centres;
    private double lastInertia = Double.POSITIVE_INFINITY;
    private int kMeansPasses;
    private Gmm best;
    private double bestLl = Double.NEGATIVE_INFINITY;
    private int iterations;
    private EmResult.StopReason stop;

    /**
     * @param global   count, mean and covariance of all the group's points (one extra pass)
     * @param previous the last fit of this group, for the warm start; may be null
     */
    public EmRun(int clusters, Moments global, GmmOptions options, Gmm previous) {
        if (clusters < 1) {
            throw new IllegalArgumentException("clusters must be >= 1, got " + clusters);
        }
        if (global.count() == 0) {
            throw new IllegalArgumentException("no points to fit a GMM on");
        }
        this.clusters = clusters;
        this.global = global;
        this.options = options;
        this.start = options.initialization().resolve(global.count(), global.mean().length, clusters);
        this.warmStarted = options.warmStart() && previous != null && previous.clusters() == clusters
                && previous.dim() == global.mean().length;
        if (warmStarted) {
            current = withFittedPoints(previous, global.count());
        }
    }

    /** Whether the cold start wants the random assignment's statistics ({@link #acceptInitial}) now. */
    public boolean needsRandomAssignment() {
        return current == null && start == GmmOptions.Initialization.RANDOM_ASSIGNMENT;
    }

    /** Whether the cold start wants candidate points ({@link #acceptCandidates}) now: the sampled means and k-means. */
    public boolean needsCandidates() {
        return current == null && centres == null && start != GmmOptions.Initialization.RANDOM_ASSIGNMENT;
    }

    /** True while the k-means start wants another Lloyd pass over the points ({@link KMeansStatistics}). */
    public boolean needsCentresPass() {
        return centres != null;
    }

    /** The centres the next Lloyd pass must assign points to. */
    public double[][] centres() {
        if (centres == null) {
            throw new IllegalStateException("no k-means pass pending");
        }
        return centres;
    }

    /**
     * A Lloyd pass's statistics: moves every centre to the mean of its points (a centre without
     * points stays), then either asks for another pass or builds the first model: the centres as
     * means, masses from the last assignment's counts, and every covariance the global one / K
     * plus the initial ridge, as for {@link GmmOptions.Initialization#SAMPLED_MEANS}.
     */
    public void acceptCentresPass(KMeansStatistics s) {
        if (centres == null) {
            throw new IllegalStateException("no k-means pass pending");
        }
        double[][] moved = new double[clusters][];
        for (int k = 0; k < clusters; k++) {
            moved[k] = s.count[k] == 0 ? s.centre(k).clone() : plus(s.centre(k), scaled(s.sum[k], 1.0 / s.count[k]));
        }
        kMeansPasses++;
        double inertia = s.inertia();
        boolean settled = lastInertia - inertia <= KMEANS_TOLERANCE * inertia;
        lastInertia = inertia;
        if (!settled && kMeansPasses < KMEANS_MAX_PASSES) {
            centres = moved;
            return;
        }
        // An empty cluster keeps a small mass rather than log(0): EM then reboots or revives it.
        double total = 0;
        for (long c : s.count) {
            total += Math.max(c, 1);
        }
        double[] logMass = new double[clusters];
        for (int k = 0; k < clusters; k++) {
            logMass[k] = Math.log(Math.max(s.count[k], 1) / total);
        }
        current = new Gmm(logMass, moved, sharedInitialCovariances(), global.count());
        centres = null;
    }

    /** Lloyd passes the k-means start took (0 for other starts). */
    public int kMeansPasses() {
        return kMeansPasses;
    }

    /** The shift for {@link EmStatistics#emptyInitial}. */
    public double[] initialShift() {
        return global.mean();
    }

    public int clusters() {
        return clusters;
    }

    /** The model the next E-step must evaluate. */
    public Gmm current() {
        if (current == null) {
            if (centres != null) {
                throw new IllegalStateException("k-means start not yet done");
            }
            throw new IllegalStateException("initial assignment not yet done");
        }
        return current;
    }

    public boolean done() {
        return stop != null;
    }

    /** Statistics of the random hard assignment: mean and (1/K)-scaled scatter per cluster, plus the initial ridge. */
    public void acceptInitial(EmStatistics s) {
        int d = s.dim();
        double[] logMass = new double[clusters];
        double[][] means = new double[clusters][];
        Mat[] covs = new Mat[clusters];
        for (int k = 0; k < clusters; k++) {
            logMass[k] = Math.log(1.0 / clusters);
            Mat scatter;
            if (s.weight[k] == 0) {
                // An empty random cluster (possible only with very few points) starts from all points.
                means[k] = global.mean();
                scatter = global.scatter();
            } else {
                double[] dlt = scaled(s.sum[k], 1.0 / s.weight[k]);
                means[k] = plus(s.shift(k), dlt);
                scatter = lowerToFull(s.scatter[k], d).minus(Mat.outer(dlt, dlt).scale(s.weight[k]));
            }
            covs[k] = positiveDefinite(scatter.scale(1.0 / clusters).symmetrize().plusDiagonal(options.initialRidge()), k);
        }
        current = new Gmm(logMass, means, covs, global.count());
    }

    /** How many candidate points {@link #acceptCandidates} wants: a few per cluster. */
    public int candidateCount() {
        return CANDIDATES_PER_CLUSTER * clusters;
    }

    /**
     * Picks K means by k-means++ seeding among uniformly sampled candidate points. With
     * {@link GmmOptions.Initialization#KMEANS} these are the centres of the Lloyd passes that
     * follow ({@link #needsCentresPass}); otherwise the first model starts from them directly,
     * every cluster with the global covariance divided by K plus the initial ridge, and equal masses.
     */
    public void acceptCandidates(List<double[]> candidates) {
        double[][] means = InitialMeans.kMeansPlusPlus(candidates, clusters, options.seed());
        if (start == GmmOptions.Initialization.KMEANS) {
            centres = means;
            return;
        }
        double[] logMass = new double[clusters];
        for (int k = 0; k < clusters; k++) {
            logMass[k] = Math.log(1.0 / clusters);
        }
        current = new Gmm(logMass, means, sharedInitialCovariances(), global.count());
    }

    private Mat[] sharedInitialCovariances() {
        Mat cov = positiveDefinite(global.covariance().scale(1.0 / clusters).symmetrize()
                .plusDiagonal(options.initialRidge()), 0);
        Mat[] covs = new Mat[clusters];
        java.util.Arrays.fill(covs, cov);
        return covs;
    }

    /** Statistics of an E-step under {@link #current()}: checks convergence, then does the M-step. */
    public void acceptExpectation(EmStatistics s) {
        if (done()) {
            throw new IllegalStateException("EM already stopped");
        }
        double ll = s.logLikelihood() / s.count();
        if (Double.isNaN(ll)) {
            throw new IllegalStateException("EM log-likelihood is NaN: the points or the model hold NaN");
        }
        trace.add(ll);
        if (trace.size() > 1) {
            double prev = trace.get(trace.size() - 2);
            // Converged first: a change within tolerance, even downward by rounding, is convergence.
            if (Math.abs(ll - prev) < options.tolerance() * Math.abs(ll)) {
                if (ll >= prev) {
                    best = current;
                    bestLl = ll;
                }
                stop = EmResult.StopReason.CONVERGED;
                return;
            }
            if (ll < prev) {
                stop = EmResult.StopReason.LIKELIHOOD_DECREASED;
                return;
            }
        }
        best = current;
        bestLl = ll;
        current = mStep(s);
        iterations++;
        if (iterations >= options.maxIterations()) {
            best = current;
            stop = EmResult.StopReason.MAX_ITERATIONS;
        }
    }

    public EmResult result() {
        if (!done()) {
            throw new IllegalStateException("EM has not stopped yet");
        }
        double[] ll = new double[trace.size()];
        for (int i = 0; i < ll.length; i++) {
            ll[i] = trace.get(i);
        }
        return new EmResult(best, ll, bestLl, iterations, stop, warmStarted);
    }

    private Gmm mStep(EmStatistics s) {
        int d = s.dim();
        double n = s.count();
        double[] logMass = new double[clusters];
        double[][] means = new double[clusters][];
        Mat[] covs = new Mat[clusters];
        Cholesky[] factors = new Cholesky[clusters];
        for (int k = 0; k < clusters; k++) {
            double mass = s.weight[k] / n;
            logMass[k] = Math.log(mass);
            Mat cov;
            if (mass < options.rebootMass() / clusters) {
                // Reboot: every point weighs 1/N in this cluster, i.e. the moments of all points.
                means[k] = global.mean();
                cov = global.covariance().symmetrize().plusDiagonal(options.ridge());
            } else {
                double[] dlt = scaled(s.sum[k], 1.0 / s.weight[k]);
                means[k] = plus(s.shift(k), dlt);
                cov = clusterCovariance(s.scatter[k], d, 1.0 / s.weight[k], dlt, options.ridge());
            }
            Factored f = factored(cov, k);
            covs[k] = f.covariance();
            factors[k] = f.factor();
        }
        return Gmm.factored(logMass, means, covs, factors, global.count());
    }

    /**
     * S / W - d d^T + ridge I from the lower triangle of the shifted scatter S, in one pass: the
     * same numbers as mirroring, scaling, subtracting the outer product, symmetrising (a no-op on
     * a matrix built symmetric) and adding the ridge one operation at a time, without the six
     * temporary D x D matrices (the M-step ran once per EM iteration for each of K clusters).
     */
    static Mat clusterCovariance(double[] lowerScatter, int d, double inverseWeight, double[] dlt, double ridge) {
        double[] c = new double[d * d];
        for (int j = 0; j < d; j++) {
            for (int i = j; i < d; i++) {
                double v = lowerScatter[j * d + i] * inverseWeight - dlt[i] * dlt[j];
                c[j * d + i] = v;
                c[i * d + j] = v;
            }
            c[j * d + j] += ridge;
        }
        return Mat.fromColumnMajor(d, d, c);
    }

    private Mat positiveDefinite(Mat cov, int k) {
        return factored(cov, k).covariance();
    }

    private record Factored(Mat covariance, Cholesky factor) {
    }

    /**
     * The ridge keeps covariances positive definite in exact arithmetic; rounding on degenerate
     * data can still leave a tiny negative eigenvalue, so grow the ridge tenfold until the factor
     * exists, and fail clearly if even a large ridge does not help (the data hold NaN or infinity).
     */
    private Factored factored(Mat cov, int k) {
        if (!cov.isFinite()) {
            throw new NotPositiveDefiniteException("GMM cluster " + k + ": covariance is not finite (NaN or infinite points)");
        }
        double extra = Math.max(options.ridge(), 1e-12);
        Mat c = cov;
        for (int i = 0; i < 12; i++) {
            Cholesky f = Cholesky.tryOf(c);
            if (f != null) {
                return new Factored(c, f);
            }
            extra *= 10;
            c = cov.plusDiagonal(extra);
        }
        throw new NotPositiveDefiniteException("GMM cluster " + k + ": covariance not positive definite even with ridge " + extra);
    }

    private static Gmm withFittedPoints(Gmm g, long n) {
        int kk = g.clusters();
        double[] lm = new double[kk];
        double[][] mu = new double[kk][];
        Mat[] cov = new Mat[kk];
        for (int k = 0; k < kk; k++) {
            lm[k] = g.logMass(k);
            mu[k] = g.mean(k);
            cov[k] = g.covariance(k);
        }
        return new Gmm(lm, mu, cov, n);
    }

    static Mat lowerToFull(double[] lower, int d) {
        double[] a = lower.clone();
        org.gps.core.linalg.PointKernels.mirrorLower(a, d);
        return Mat.fromColumnMajor(d, d, a);
    }

    private static double[] scaled(double[] v, double s) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * s;
        }
        return out;
    }

    private static double[] plus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + b[i];
        }
        return out;
    }
}

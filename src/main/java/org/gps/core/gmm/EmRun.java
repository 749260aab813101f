package org.gps.core.gmm;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.NotPositiveDefiniteException;

import java.util.ArrayList;
import java.util.List;

/**
 * EM for one GMM as a state machine driven from outside: the caller computes the statistics of a
 * pass (locally, or on Spark executors for many groups at once) and hands them in; this class
 * does the M-step and the stopping rule of ALGORITHM.md section 3 on the driver. Keeping the
 * passes outside is what lets M conditions' EM runs share each Spark job.
 *
 * <p>MLlib's {@code GaussianMixture} is not used: it has no covariance ridge, no reboot of
 * small clusters, no warm start from a given model and no seeded per-point initial assignment,
 * and it cannot run several independent mixtures in one pass.
 */
public final class EmRun {
    static final int CANDIDATES_PER_CLUSTER = 4;

    private final int clusters;
    private final Moments global;
    private final GmmOptions options;
    private final boolean warmStarted;
    private final List<Double> trace = new ArrayList<>();
    private Gmm current;
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
        this.warmStarted = options.warmStart() && previous != null && previous.clusters() == clusters
                && previous.dim() == global.mean().length;
        if (warmStarted) {
            current = withFittedPoints(previous, global.count());
        }
    }

    public boolean needsInitialAssignment() {
        return current == null;
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
     * Starts from K means chosen by k-means++ seeding among uniformly sampled candidate points,
     * every cluster with the global covariance divided by K plus the initial ridge, and equal masses.
     */
    public void acceptCandidates(List<double[]> candidates) {
        double[][] means = InitialMeans.kMeansPlusPlus(candidates, clusters, options.seed());
        double[] logMass = new double[clusters];
        Mat[] covs = new Mat[clusters];
        Mat cov = positiveDefinite(global.covariance().scale(1.0 / clusters).symmetrize()
                .plusDiagonal(options.initialRidge()), 0);
        for (int k = 0; k < clusters; k++) {
            logMass[k] = Math.log(1.0 / clusters);
            covs[k] = cov;
        }
        current = new Gmm(logMass, means, covs, global.count());
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
        for (int k = 0; k < clusters; k++) {
            double mass = s.weight[k] / n;
            logMass[k] = Math.log(mass);
            Mat cov;
            if (mass < options.rebootMass() / clusters) {
                // Reboot: every point weighs 1/N in this cluster, i.e. the moments of all points.
                means[k] = global.mean();
                cov = global.covariance();
            } else {
                double[] dlt = scaled(s.sum[k], 1.0 / s.weight[k]);
                means[k] = plus(s.shift(k), dlt);
                cov = lowerToFull(s.scatter[k], d).scale(1.0 / s.weight[k]).minus(Mat.outer(dlt, dlt));
            }
            covs[k] = positiveDefinite(cov.symmetrize().plusDiagonal(options.ridge()), k);
        }
        return new Gmm(logMass, means, covs, global.count());
    }

    /**
     * The ridge keeps covariances positive definite in exact arithmetic; rounding on degenerate
     * data can still leave a tiny negative eigenvalue, so grow the ridge tenfold until the factor
     * exists, and fail clearly if even a large ridge does not help (the data hold NaN or infinity).
     */
    private Mat positiveDefinite(Mat cov, int k) {
        if (!cov.isFinite()) {
            throw new NotPositiveDefiniteException("GMM cluster " + k + ": covariance is not finite (NaN or infinite points)");
        }
        double extra = Math.max(options.ridge(), 1e-12);
        Mat c = cov;
        for (int i = 0; i < 12; i++) {
            if (Cholesky.tryOf(c) != null) {
                return c;
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

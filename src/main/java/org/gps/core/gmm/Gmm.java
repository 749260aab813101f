package org.gps.core.gmm;

import org.gps.core.dynamics.NiwPrior;
import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.PointKernels;

import java.io.Serializable;
import java.util.Arrays;

/**
 * An immutable Gaussian mixture: per cluster a log mass, a mean and a covariance (with its
 * Cholesky factor, computed once), plus the number of points it was fitted on, which sets the
 * prior's pseudo-count n0 (docs/algorithm.md section 3).
 */
public final class Gmm implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    private final double[] logMass;
    private final double[][] means;
    private final Mat[] covariances;
    private final long fittedPoints;
    // Derived from the covariances; not serialized (EM broadcasts a model every pass, and these
    // would triple its size), recomputed on arrival instead.
    private transient Cholesky[] factors;
    /** W_k = L_k^{-1} and b_k = W_k mu_k, laid out for the E-step. */
    private transient PointKernels.Whitening whitening;
    private transient double[] logNormalisers;
    private transient double[][] covarianceValues;

    public Gmm(double[] logMass, double[][] means, Mat[] covariances, long fittedPoints) {
        int k = logMass.length;
        if (k == 0 || means.length != k || covariances.length != k) {
            throw new IllegalArgumentException("a GMM needs K >= 1 masses, means and covariances of equal count");
        }
        int d = means[0].length;
        this.logMass = logMass.clone();
        this.means = new double[k][];
        this.covariances = covariances.clone();
        for (int i = 0; i < k; i++) {
            if (means[i].length != d || covariances[i].rows() != d || covariances[i].cols() != d) {
                throw new IllegalArgumentException("cluster " + i + " does not have dimension " + d);
            }
            this.means[i] = means[i].clone();
        }
        this.fittedPoints = fittedPoints;
        prepare(null);
    }

    /** As the public constructor, with the covariances' Cholesky factors already computed (EM's M-step has them). */
    static Gmm factored(double[] logMass, double[][] means, Mat[] covariances, Cholesky[] factors, long fittedPoints) {
        return new Gmm(logMass, means, covariances, fittedPoints, factors);
    }

    private Gmm(double[] logMass, double[][] means, Mat[] covariances, long fittedPoints, Cholesky[] factors) {
        this.logMass = logMass.clone();
        this.means = new double[means.length][];
        for (int i = 0; i < means.length; i++) {
            this.means[i] = means[i].clone();
        }
        this.covariances = covariances.clone();
        this.fittedPoints = fittedPoints;
        prepare(factors);
    }

    private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
        in.defaultReadObject();
        prepare(null);
    }

    private void prepare(Cholesky[] given) {
        int k = logMass.length;
        int d = means[0].length;
        this.factors = new Cholesky[k];
        this.covarianceValues = new double[k][];
        for (int i = 0; i < k; i++) {
            this.factors[i] = given != null ? given[i] : Cholesky.of(covariances[i]);
            this.covarianceValues[i] = covariances[i].toColumnMajor();
        }
        this.logNormalisers = new double[k];
        double[][] lowerInverse = new double[k][];
        double[][] whitenedMean = new double[k][];
        for (int c = 0; c < k; c++) {
            Mat w = factors[c].lowerInverse();
            lowerInverse[c] = w.toColumnMajor();
            whitenedMean[c] = w.times(this.means[c]);
            logNormalisers[c] = this.logMass[c] - 0.5 * (d * LOG_2PI + factors[c].logDet());
        }
        this.whitening = new PointKernels.Whitening(lowerInverse, whitenedMean, d);
    }

    public int clusters() {
        return logMass.length;
    }

    public int dim() {
        return means[0].length;
    }

    public long fittedPoints() {
        return fittedPoints;
    }

    public double logMass(int k) {
        return logMass[k];
    }

    public double[] mean(int k) {
        return means[k].clone();
    }

    public Mat covariance(int k) {
        return covariances[k];
    }

    double[] meanRef(int k) {
        return means[k];
    }

    /**
     * log(mass_k N(x_j | mu_k, Sigma_k)) for every point j and cluster k of the block, as an
     * n x K row-major array (index j * K + k).
     */
    public double[] logJoint(PointBlock block) {
        return pointMajor(logJointByCluster(block), block.size(), clusters());
    }

    /** As {@link #logJoint}, cluster-major (index k * n + j). */
    private double[] logJointByCluster(PointBlock block) {
        int n = block.size();
        int kk = clusters();
        double[] out = PointKernels.mahalanobis(whitening, block.data(), n);
        for (int k = 0; k < kk; k++) {
            double c = logNormalisers[k];
            int o = k * n;
            for (int j = 0; j < n; j++) {
                out[o + j] = c - 0.5 * out[o + j];
            }
        }
        return out;
    }

    /**
     * Terms more than this many nats below a point's largest are left out of its log-sum-exp and
     * get posterior 0: together (at most K e^-40, K below 100) they are under half an ulp of the
     * sum, so the result is the same to rounding, and most exp calls are skipped (a point has
     * weight in one to three clusters).
     */
    private static final double NEGLIGIBLE_LOG_RATIO = -40;

    /** Posterior cluster probabilities of every point, n x K row-major; and each point's log density in {@code logDensity}. */
    public double[] posteriors(PointBlock block, double[] logDensity) {
        return pointMajor(posteriorsByCluster(block, logDensity), block.size(), clusters());
    }

    /**
     * As {@link #posteriors}, cluster-major (index k * n + j): the E-step's layout, where each
     * cluster's weights are one contiguous run. Every point's terms are summed in cluster order,
     * as a point-by-point loop would.
     */
    double[] posteriorsByCluster(PointBlock block, double[] logDensity) {
        int n = block.size();
        int kk = clusters();
        double[] lj = logJointByCluster(block);
        double[] max = new double[n];
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int k = 0; k < kk; k++) {
            int o = k * n;
            for (int j = 0; j < n; j++) {
                max[j] = Math.max(max[j], lj[o + j]);
            }
        }
        double[] sum = new double[n];
        for (int k = 0; k < kk; k++) {
            int o = k * n;
            for (int j = 0; j < n; j++) {
                double d = lj[o + j] - max[j];
                double e = d < NEGLIGIBLE_LOG_RATIO ? 0.0 : Math.exp(d);
                lj[o + j] = e;
                sum[j] += e;
            }
        }
        if (logDensity != null) {
            for (int j = 0; j < n; j++) {
                logDensity[j] = max[j] + Math.log(sum[j]);
            }
        }
        double[] inv = sum;
        for (int j = 0; j < n; j++) {
            inv[j] = 1.0 / sum[j];
        }
        for (int k = 0; k < kk; k++) {
            int o = k * n;
            for (int j = 0; j < n; j++) {
                lj[o + j] *= inv[j];
            }
        }
        return lj;
    }

    /**
     * Points per chunk of {@link #expectation}: a chunk's K log joints stay in cache between the
     * passes over them, and each cluster's pass over a chunk is long enough to pay for its setup.
     */
    static final int EXPECTATION_CHUNK = 128;

    /**
     * The E-step over a block into {@code e}: {@code e.logLikelihood} = {@code logLikelihood} plus
     * every point's log density in point order, and per cluster its posterior weight (their sum in
     * point order) and the points whose posterior exceeds {@link PointKernels#NEGLIGIBLE_WEIGHT},
     * with those posteriors. The same numbers as {@link #posteriorsByCluster} summed point by
     * point: a term left out of the log-sum-exp has posterior exactly +0.0, which adds nothing to
     * a sum of non-negative terms, so only the terms whose exp is taken are visited after the
     * first pass. That holds while each point's sum of exps is at least 1 (its largest term's exp
     * is 1); where it is not (NaN or infinite log joints), returns false and leaves the caller to
     * {@link #posteriorsByCluster}, which the fit then fails on as before.
     */
    boolean expectation(PointBlock block, double logLikelihood, EStep e) {
        int n = block.size();
        int kk = clusters();
        int chunk = EXPECTATION_CHUNK;
        e.prepare(kk, n, chunk);
        boolean fused = PointKernels.takesLogJoint(whitening, n);
        double[] whole = fused ? null : logJointByCluster(block);
        double[] max = e.max;
        double[] sum = e.sum;
        double[] termValue = e.termValue;
        int[] termPoints = e.terms;
        int[] termCount = e.termCount;
        double ll = logLikelihood;
        for (int j0 = 0; j0 < n; j0 += chunk) {
            int m = Math.min(chunk, n - j0);
            double[] lj;
            int offset;
            int stride;
            if (fused) {
                PointKernels.logJoint(whitening, logNormalisers, block.data(), j0, m, e.logJoint, m);
                lj = e.logJoint;
                offset = 0;
                stride = m;
            } else {
                lj = whole;
                offset = j0;
                stride = n;
            }
            java.util.Arrays.fill(max, 0, m, Double.NEGATIVE_INFINITY);
            for (int k = 0; k < kk; k++) {
                int o = k * stride + offset;
                for (int j = 0; j < m; j++) {
                    max[j] = Math.max(max[j], lj[o + j]);
                }
            }
            java.util.Arrays.fill(sum, 0, m, 0.0);
            for (int k = 0; k < kk; k++) {
                int o = k * stride + offset;
                int t = k * chunk;
                // The terms to take listed first, without a branch per point (which points are near
                // a cluster follows no pattern a predictor learns), then their exps.
                int c = PointKernels.listNotBelow(lj, o, max, m, NEGLIGIBLE_LOG_RATIO, termPoints, t);
                for (int q = 0; q < c; q++) {
                    int j = termPoints[t + q];
                    double x = Math.exp(lj[o + j] - max[j]);
                    sum[j] += x;
                    termValue[t + q] = x;
                }
                termCount[k] = c;
            }
            for (int j = 0; j < m; j++) {
                double s = sum[j];
                if (!(s >= 1.0)) {
                    return false;
                }
                ll += max[j] + Math.log(s);
                sum[j] = 1.0 / s;
            }
            double[] inv = sum;
            int[] selected = e.selected;
            double[] selectedWeight = e.selectedWeight;
            for (int k = 0; k < kk; k++) {
                int t = k * chunk;
                int to = k * n;
                double w = e.weight[k];
                int c = e.count[k];
                int terms = termCount[k];
                for (int q = 0; q < terms; q++) {
                    int j = termPoints[t + q];
                    double p = termValue[t + q] * inv[j];
                    w += p;
                    selected[to + c] = j0 + j;
                    selectedWeight[to + c] = p;
                    c += p > PointKernels.NEGLIGIBLE_WEIGHT ? 1 : 0;
                }
                e.weight[k] = w;
                e.count[k] = c;
            }
        }
        e.logLikelihood = ll;
        return true;
    }

    private static double[] pointMajor(double[] byCluster, int n, int kk) {
        double[] out = new double[n * kk];
        for (int k = 0; k < kk; k++) {
            for (int j = 0; j < n; j++) {
                out[j * kk + k] = byCluster[k * n + j];
            }
        }
        return out;
    }

    /**
     * The normal-inverse-Wishart prior for a query set (docs/algorithm.md section 3): cluster
     * posteriors averaged over the query points give w; mu0 = sum w_k mu_k,
     * Phi = sum w_k (Sigma_k + (mu_k - mu0)(mu_k - mu0)^T); m = 1, n0 = (Nfit - 2 - D) / Nfit;
     * then m and n0 are scaled by {@code strength} and Phi by m.
     */
    public NiwPrior prior(PointBlock query, double strength) {
        int kk = clusters();
        int d = dim();
        int n = query.size();
        double[] post = posteriorsByCluster(query, null);
        double[] w = new double[kk];
        for (int k = 0; k < kk; k++) {
            for (int j = 0; j < n; j++) {
                w[k] += post[k * n + j];
            }
        }
        for (int k = 0; k < kk; k++) {
            w[k] /= n;
        }
        double[] mu0 = new double[d];
        for (int k = 0; k < kk; k++) {
            for (int i = 0; i < d; i++) {
                mu0[i] += w[k] * means[k][i];
            }
        }
        // One pass over raw arrays: this runs for every (condition, t), K clusters of D x D each.
        // A cluster of weight exactly 0 (every query point's posterior there underflowed to 0)
        // would add only zeros, so it is skipped: the same bits, most of the K clusters' work.
        double[] phi = new double[d * d];
        double[] diff = new double[d];
        for (int k = 0; k < kk; k++) {
            double wk = w[k];
            if (wk == 0.0) {
                continue;
            }
            double[] cov = covarianceValues[k];
            for (int i = 0; i < d; i++) {
                diff[i] = means[k][i] - mu0[i];
            }
            for (int c = 0; c < d; c++) {
                PointKernels.addMixtureColumn(phi, cov, c * d, wk, diff, wk * diff[c], d);
            }
        }
        double m = strength;
        double n0 = strength * (fittedPoints - 2.0 - d) / fittedPoints;
        for (int c = 0; c < d; c++) {
            for (int r = c + 1; r < d; r++) {
                double v = 0.5 * (phi[c * d + r] + phi[r * d + c]) * m;
                phi[c * d + r] = v;
                phi[r * d + c] = v;
            }
            phi[c * d + c] *= m;
        }
        return new NiwPrior(mu0, Mat.fromColumnMajor(d, d, phi), m, n0);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Gmm g) || g.clusters() != clusters() || g.fittedPoints != fittedPoints
                || !Arrays.equals(g.logMass, logMass)) {
            return false;
        }
        for (int k = 0; k < clusters(); k++) {
            if (!Arrays.equals(g.means[k], means[k]) || !g.covariances[k].equals(covariances[k])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(logMass) * 31 + Long.hashCode(fittedPoints);
    }

    @Override
    public String toString() {
        return "Gmm(K=" + clusters() + ", D=" + dim() + ", fitted on " + fittedPoints + " points)";
    }
}

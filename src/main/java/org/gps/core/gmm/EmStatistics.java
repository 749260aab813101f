package org.gps.core.gmm;

import org.gps.core.linalg.PointKernels;
import org.gps.core.random.Seeds;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * The sufficient statistics of one EM pass over one group's points: per cluster the posterior
 * weight W_k, the weighted sum s_k and the lower-triangular scatter S_k of (x - c_k), where the
 * shift c_k is the cluster's current mean (so the M-step's S_k / W_k - d d^T does not cancel
 * catastrophically, even on near-deterministic data); plus the point count and the summed log
 * density. Executors build these per block; {@link #merge} is associative, for tree aggregation.
 */
public final class EmStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int clusters;
    private final int dim;
    private final double[][] shifts;
    long count;
    double logLikelihood;
    final double[] weight;
    final double[][] sum;
    final double[][] scatter;

    private EmStatistics(int clusters, int dim, double[][] shifts) {
        this.clusters = clusters;
        this.dim = dim;
        this.shifts = shifts;
        this.weight = new double[clusters];
        this.sum = new double[clusters][dim];
        this.scatter = new double[clusters][dim * dim];
    }

    /** An empty accumulator for E-steps under {@code model}. */
    public static EmStatistics empty(Gmm model) {
        double[][] shifts = new double[model.clusters()][];
        for (int k = 0; k < shifts.length; k++) {
            shifts[k] = model.meanRef(k);
        }
        return new EmStatistics(model.clusters(), model.dim(), shifts);
    }

    /** An empty accumulator for the random initial assignment, every cluster shifted by {@code shift}. */
    public static EmStatistics emptyInitial(int clusters, double[] shift) {
        double[][] shifts = new double[clusters][];
        for (int k = 0; k < clusters; k++) {
            shifts[k] = shift;
        }
        return new EmStatistics(clusters, shift.length, shifts);
    }

    /**
     * Whether {@link #addExpectation} takes {@link Gmm#expectation}, which visits only the terms
     * that count, rather than the dense posteriors; the numbers are the same. Not final so that a
     * test can run EM both ways and compare the bits.
     */
    static boolean sparseExpectation = true;

    /** E-step over a block: posteriors under {@code model} accumulated as weights; returns this. */
    public EmStatistics addExpectation(Gmm model, PointBlock block) {
        int n = block.size();
        if (n == 0) {
            return this;
        }
        EStep e = EStep.get(clusters, n);
        if (sparseExpectation && model.expectation(block, logLikelihood, e)) {
            logLikelihood = e.logLikelihood;
            count += n;
            for (int k = 0; k < clusters; k++) {
                weight[k] += e.weight[k];
                PointKernels.addSelectedMoments(block.data(), dim, e.selected, e.selectedWeight, k * n, e.count[k],
                        shifts[k], sum[k], scatter[k]);
            }
            return this;
        }
        double[] logDensity = new double[n];
        double[] post = model.posteriorsByCluster(block, logDensity);
        for (double l : logDensity) {
            logLikelihood += l;
        }
        count += n;
        for (int k = 0; k < clusters; k++) {
            int from = k * n;
            double wk = 0;
            for (int j = 0; j < n; j++) {
                wk += post[from + j];
            }
            weight[k] += wk;
            PointKernels.addWeightedMoments(block.data(), dim, n, shifts[k], post, from, sum[k], scatter[k]);
        }
        return this;
    }

    /**
     * The initial assignment: each point goes to a cluster drawn uniformly from a stream seeded by
     * {@code seed} and the point's id, so the draw does not depend on partitioning; returns this.
     */
    public EmStatistics addRandomAssignment(long seed, PointBlock block) {
        int n = block.size();
        double[][] w = new double[clusters][n];
        for (int j = 0; j < n; j++) {
            int k = new SplittableRandom(Seeds.derive(seed, "gmm-init", block.ids()[j])).nextInt(clusters);
            w[k][j] = 1.0;
            weight[k] += 1.0;
        }
        count += n;
        for (int k = 0; k < clusters; k++) {
            PointKernels.addWeightedMoments(block.data(), dim, n, shifts[k], w[k], 0, sum[k], scatter[k]);
        }
        return this;
    }

    /** Merges {@code o} (accumulated under the same model) into this; returns this. */
    public EmStatistics merge(EmStatistics o) {
        if (o.clusters != clusters || o.dim != dim) {
            throw new IllegalArgumentException("cannot merge EM statistics of different shapes");
        }
        count += o.count;
        logLikelihood += o.logLikelihood;
        for (int k = 0; k < clusters; k++) {
            weight[k] += o.weight[k];
            for (int i = 0; i < dim; i++) {
                sum[k][i] += o.sum[k][i];
            }
            double[] s = scatter[k];
            double[] os = o.scatter[k];
            for (int i = 0; i < s.length; i++) {
                s[i] += os[i];
            }
        }
        return this;
    }

    public int clusters() {
        return clusters;
    }

    public int dim() {
        return dim;
    }

    public long count() {
        return count;
    }

    public double logLikelihood() {
        return logLikelihood;
    }

    double[] shift(int k) {
        return shifts[k];
    }
}

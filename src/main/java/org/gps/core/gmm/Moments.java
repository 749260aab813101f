package org.gps.core.gmm;

import org.gps.core.linalg.Mat;
import org.gps.core.linalg.PointKernels;

import java.io.Serializable;

/**
 * Count, mean and scatter of a point set, mergeable in any order (Chan et al.'s pairwise update),
 * so that executors can summarise their blocks and a tree aggregation combines them. EM needs
 * the global moments to reboot clusters that lost their mass.
 */
public final class Moments implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dim;
    private long count;
    private final double[] mean;
    /** Lower triangle of sum (x - mean)(x - mean)^T, column-major. */
    private final double[] scatter;

    public Moments(int dim) {
        this.dim = dim;
        this.mean = new double[dim];
        this.scatter = new double[dim * dim];
    }

    public static Moments of(PointBlock b) {
        Moments m = new Moments(b.dim());
        m.add(b);
        return m;
    }

    /** Adds a block; returns this. */
    public Moments add(PointBlock b) {
        if (b.size() == 0) {
            return this;
        }
        Moments local = new Moments(dim);
        local.count = b.size();
        double[] d = b.data();
        for (int j = 0; j < b.size(); j++) {
            for (int i = 0; i < dim; i++) {
                local.mean[i] += d[j * dim + i];
            }
        }
        for (int i = 0; i < dim; i++) {
            local.mean[i] /= b.size();
        }
        double[] ones = new double[b.size()];
        java.util.Arrays.fill(ones, 1.0);
        PointKernels.addWeightedMoments(d, dim, b.size(), local.mean, ones, 0, new double[dim], local.scatter);
        return merge(local);
    }

    /** Merges {@code o} into this; returns this. */
    public Moments merge(Moments o) {
        if (o.count == 0) {
            return this;
        }
        if (count == 0) {
            count = o.count;
            System.arraycopy(o.mean, 0, mean, 0, dim);
            System.arraycopy(o.scatter, 0, scatter, 0, dim * dim);
            return this;
        }
        long n = count + o.count;
        double[] delta = new double[dim];
        for (int i = 0; i < dim; i++) {
            delta[i] = o.mean[i] - mean[i];
        }
        double f = (double) count * o.count / n;
        for (int c = 0; c < dim; c++) {
            for (int r = c; r < dim; r++) {
                scatter[c * dim + r] += o.scatter[c * dim + r] + f * delta[r] * delta[c];
            }
        }
        for (int i = 0; i < dim; i++) {
            mean[i] += delta[i] * o.count / n;
        }
        count = n;
        return this;
    }

    public long count() {
        return count;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** Population covariance (divided by the count), as numpy's default. */
    public Mat covariance() {
        double[] c = scatter.clone();
        PointKernels.mirrorLower(c, dim);
        for (int i = 0; i < c.length; i++) {
            c[i] /= count;
        }
        return Mat.fromColumnMajor(dim, dim, c);
    }

    /** The unnormalised scatter sum (x - mean)(x - mean)^T. */
    public Mat scatter() {
        double[] c = scatter.clone();
        PointKernels.mirrorLower(c, dim);
        return Mat.fromColumnMajor(dim, dim, c);
    }
}

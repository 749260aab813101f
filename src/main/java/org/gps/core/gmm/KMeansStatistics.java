package org.gps.core.gmm;

import org.gps.core.linalg.PointKernels;

import java.io.Serializable;

/**
 * The sufficient statistics of one Lloyd (k-means) pass over one group's points: per centre the
 * number of points nearest to it and the sum of their offsets from it, plus the summed squared
 * distance to the nearest centre (the k-means objective). Executors build these per block and
 * {@link #merge} them like {@link EmStatistics}; the driver moves each centre to its points' mean.
 *
 * <p>The nearest centre is found through one dgemm per block (|x - c|^2 = |x|^2 - 2 x.c + |c|^2,
 * everything shifted by the centres' mean so the expansion does not cancel on points far from the
 * origin); the chosen centre's distance, which enters the objective, is then recomputed directly.
 * A pass costs 2 K D flops per point, against an E-step's 2 K D^2.
 */
public final class KMeansStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][] centres;
    /** The centres' mean, and the shifted centres (D x K, column-major) with their squared norms. */
    private final double[] shift;
    private final double[] shiftedCentres;
    private final double[] centreNorms;
    final long[] count;
    final double[][] sum;
    double inertia;
    long points;

    private KMeansStatistics(double[][] centres) {
        this.centres = centres;
        int kk = centres.length;
        int d = centres[0].length;
        this.count = new long[kk];
        this.sum = new double[kk][d];
        this.shift = new double[d];
        for (double[] c : centres) {
            for (int i = 0; i < d; i++) {
                shift[i] += c[i] / kk;
            }
        }
        this.shiftedCentres = new double[d * kk];
        this.centreNorms = new double[kk];
        for (int k = 0; k < kk; k++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                double v = centres[k][i] - shift[i];
                shiftedCentres[k * d + i] = v;
                s += v * v;
            }
            centreNorms[k] = s;
        }
    }

    /** An empty accumulator for a pass with these centres (not copied: do not modify them). */
    public static KMeansStatistics empty(double[][] centres) {
        return new KMeansStatistics(centres);
    }

    /** Assigns every point of the block to its nearest centre; returns this. */
    public KMeansStatistics add(PointBlock block) {
        int d = block.dim();
        if (d != centres[0].length) {
            throw new IllegalArgumentException("points of dimension " + d + " for centres of dimension "
                    + centres[0].length);
        }
        int n = block.size();
        if (n == 0) {
            return this;
        }
        double[] x = block.data();
        int kk = centres.length;
        double[] shifted = new double[d * n];
        double[] norms = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < d; i++) {
                double v = x[j * d + i] - shift[i];
                shifted[j * d + i] = v;
                s += v * v;
            }
            norms[j] = s;
        }
        double[] dots = PointKernels.transposeTimes(shiftedCentres, kk, shifted, n, d);
        for (int j = 0; j < n; j++) {
            int best = 0;
            double bestD2 = Double.POSITIVE_INFINITY;
            for (int k = 0; k < kk; k++) {
                double d2 = norms[j] - 2 * dots[j * kk + k] + centreNorms[k];
                if (d2 < bestD2) {
                    bestD2 = d2;
                    best = k;
                }
            }
            count[best]++;
            double[] c = centres[best];
            double[] sb = sum[best];
            double exact = 0;
            for (int i = 0; i < d; i++) {
                double v = x[j * d + i] - c[i];
                sb[i] += v;
                exact += v * v;
            }
            inertia += exact;
            points++;
        }
        return this;
    }

    /** Merges {@code o} (accumulated with the same centres) into this; returns this. */
    public KMeansStatistics merge(KMeansStatistics o) {
        if (o.count.length != count.length || o.sum[0].length != sum[0].length) {
            throw new IllegalArgumentException("cannot merge k-means statistics of different shapes");
        }
        for (int k = 0; k < count.length; k++) {
            count[k] += o.count[k];
            for (int i = 0; i < sum[k].length; i++) {
                sum[k][i] += o.sum[k][i];
            }
        }
        inertia += o.inertia;
        points += o.points;
        return this;
    }

    double[] centre(int k) {
        return centres[k];
    }

    public long points() {
        return points;
    }

    public double inertia() {
        return inertia;
    }
}

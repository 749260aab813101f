package org.gps.core.gmm;

import java.io.Serializable;

/**
 * The sufficient statistics of one Lloyd (k-means) pass over one group's points: per centre the
 * number of points nearest to it and the sum of their offsets from it, plus the summed squared
 * distance to the nearest centre (the k-means objective). Executors build these per block and
 * {@link #merge} them like {@link EmStatistics}; the driver moves each centre to its points' mean.
 *
 * <p>Distances are computed directly as sums of squared differences, not through the BLAS
 * expansion |x|^2 - 2 x.c + |c|^2, which cancels badly on points far from the origin and close to
 * each other (near-deterministic dynamics); at K D operations per point this pass is cheap next
 * to an E-step's 2 K D^2.
 */
public final class KMeansStatistics implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][] centres;
    final long[] count;
    final double[][] sum;
    double inertia;
    long points;

    private KMeansStatistics(double[][] centres) {
        this.centres = centres;
        this.count = new long[centres.length];
        this.sum = new double[centres.length][centres[0].length];
    }

    /** An empty accumulator for a pass with these centres (not copied: do not modify them). */
    public static KMeansStatistics empty(double[][] centres) {
        return new KMeansStatistics(centres);
    }

    /** Assigns every point of the block to its nearest centre (the first on ties); returns this. */
    public KMeansStatistics add(PointBlock block) {
        int d = block.dim();
        if (d != centres[0].length) {
            throw new IllegalArgumentException("points of dimension " + d + " for centres of dimension "
                    + centres[0].length);
        }
        double[] x = block.data();
        int kk = centres.length;
        for (int j = 0; j < block.size(); j++) {
            int o = j * d;
            int best = 0;
            double bestD2 = Double.POSITIVE_INFINITY;
            for (int k = 0; k < kk; k++) {
                double[] c = centres[k];
                double s = 0;
                for (int i = 0; i < d && s < bestD2; i++) {
                    double v = x[o + i] - c[i];
                    s += v * v;
                }
                if (s < bestD2) {
                    bestD2 = s;
                    best = k;
                }
            }
            count[best]++;
            double[] c = centres[best];
            double[] sb = sum[best];
            for (int i = 0; i < d; i++) {
                sb[i] += x[o + i] - c[i];
            }
            inertia += bestD2;
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

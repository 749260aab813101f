package org.gps.core.linalg;

/**
 * Level-3 BLAS kernels over a block of points stored column-major (D x n, one point per column):
 * the two inner loops of EM. Per-point loops in Java would cost D^2 scalar operations per point
 * and cluster; handing a whole block to dgemm lets the (vectorised or native) BLAS do that work.
 */
public final class PointKernels {
    private PointKernels() {
    }

    /**
     * Posterior weights at or below this are skipped by {@link #addWeightedMoments}: such a point
     * moves a cluster's scatter by at most 1e-12 times its squared distance, far below the 1e-6
     * ridge EM adds, while skipping them saves most of the M-step's work (a point usually has
     * weight in one to three of the K clusters).
     */
    public static final double NEGLIGIBLE_WEIGHT = 1e-12;

    /**
     * Adds the weighted first and second moments of the points about {@code shift} into
     * {@code sum} (D) and {@code scatter} (D x D, column-major; at least its lower triangle is
     * valid): sum += sum_j w_j (x_j - shift), scatter += sum_j w_j (x_j - shift)(x_j - shift)^T,
     * over the points whose weight exceeds {@link #NEGLIGIBLE_WEIGHT}. Weights are posteriors (>= 0).
     */
    public static void addWeightedMoments(double[] points, int dim, int n, double[] shift, double[] weights,
                                          double[] sum, double[] scatter) {
        int m = 0;
        for (int j = 0; j < n; j++) {
            if (weights[j] > NEGLIGIBLE_WEIGHT) {
                m++;
            }
        }
        if (m == 0 || dim == 0) {
            return;
        }
        double[] y = new double[dim * m];
        int col = 0;
        for (int j = 0; j < n; j++) {
            double w = weights[j];
            if (!(w > NEGLIGIBLE_WEIGHT)) {
                continue;
            }
            double sw = Math.sqrt(w);
            int o = j * dim;
            int p = col * dim;
            for (int i = 0; i < dim; i++) {
                double d = points[o + i] - shift[i];
                sum[i] += w * d;
                y[p + i] = sw * d;
            }
            col++;
        }
        // dgemm rather than dsyrk: twice the flops, but the vectorised dgemm runs 4-5x faster here.
        Mat.BLAS_.dgemm("N", "T", dim, dim, m, 1.0, y, dim, y, dim, 1.0, scatter, dim);
    }

    /**
     * Whitening of every point under every cluster at once: for stacked lower-triangular
     * W_k = L_k^{-1} (K D x D, column-major) and their products b_k = W_k mu_k, returns the
     * squared norms ||W_k x_j - b_k||^2 as an n x K row-major array. One large dgemm replaces K
     * triangular solves (which netlib runs unvectorised).
     */
    public static double[] stackedMahalanobis(double[] stackedW, double[] stackedB, int clusters, double[] points,
                                              int dim, int n) {
        int rows = clusters * dim;
        double[] z = new double[rows * n];
        Mat.BLAS_.dgemm("N", "N", rows, n, dim, 1.0, stackedW, rows, points, dim, 0.0, z, rows);
        double[] out = new double[n * clusters];
        for (int j = 0; j < n; j++) {
            int o = j * rows;
            for (int k = 0; k < clusters; k++) {
                double s = 0;
                int base = o + k * dim;
                int bb = k * dim;
                for (int i = 0; i < dim; i++) {
                    double v = z[base + i] - stackedB[bb + i];
                    s += v * v;
                }
                out[j * clusters + k] = s;
            }
        }
        return out;
    }

    /** Copies the lower triangle of a column-major square array into its upper triangle. */
    public static void mirrorLower(double[] a, int dim) {
        for (int j = 0; j < dim; j++) {
            for (int i = j + 1; i < dim; i++) {
                a[i * dim + j] = a[j * dim + i];
            }
        }
    }
}

package org.gps.core.linalg;

import org.netlib.util.intW;

/**
 * Level-3 BLAS kernels over a block of points stored column-major (D x n, one point per column):
 * the two inner loops of EM. Per-point loops in Java would cost D^2 scalar operations per point
 * and cluster; handing a whole block to dtrtrs/dsyrk lets the (vectorised) BLAS do that work.
 */
public final class PointKernels {
    private PointKernels() {
    }

    /** Every point minus {@code shift}: a fresh D x n array. */
    public static double[] centred(double[] points, int dim, int n, double[] shift) {
        double[] out = new double[dim * n];
        for (int j = 0; j < n; j++) {
            int o = j * dim;
            for (int i = 0; i < dim; i++) {
                out[o + i] = points[o + i] - shift[i];
            }
        }
        return out;
    }

    /**
     * Squared Mahalanobis distances (x_j - mean)^T A^{-1} (x_j - mean) for A = L L^T, via one
     * triangular solve with n right-hand sides.
     */
    public static double[] mahalanobis(Cholesky factor, double[] points, int dim, int n, double[] mean) {
        double[] z = centred(points, dim, n, mean);
        if (dim > 0 && n > 0) {
            intW info = new intW(0);
            Mat.LAPACK_.dtrtrs("L", "N", "N", dim, n, factor.lower().raw(), dim, z, dim, info);
            if (info.val != 0) {
                throw new SingularMatrixException("dtrtrs failed with info=" + info.val);
            }
        }
        double[] out = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            int o = j * dim;
            for (int i = 0; i < dim; i++) {
                double v = z[o + i];
                s += v * v;
            }
            out[j] = s;
        }
        return out;
    }

    /**
     * Adds the weighted first and second moments of the points about {@code shift} into
     * {@code sum} (D) and the lower triangle of {@code scatter} (D x D, column-major):
     * sum += sum_j w_j (x_j - shift), scatter += sum_j w_j (x_j - shift)(x_j - shift)^T.
     * Weights must be non-negative (they are posteriors).
     */
    public static void addWeightedMoments(double[] points, int dim, int n, double[] shift, double[] weights,
                                          double[] sum, double[] scatter) {
        double[] y = new double[dim * n];
        for (int j = 0; j < n; j++) {
            double w = weights[j];
            double sw = Math.sqrt(w);
            int o = j * dim;
            for (int i = 0; i < dim; i++) {
                double d = points[o + i] - shift[i];
                sum[i] += w * d;
                y[o + i] = sw * d;
            }
        }
        if (dim > 0 && n > 0) {
            Mat.BLAS_.dsyrk("L", "N", dim, n, 1.0, y, dim, 1.0, scatter, dim);
        }
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

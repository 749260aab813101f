package org.gps.core.linalg;

/**
 * The Java LAPACK's unblocked Cholesky factorisation ({@code dpotf2}, lower) and triangular
 * inverse ({@code dtrti2}, lower, non-unit), which its {@code dpotrf} and {@code dtrtri} run for
 * matrices up to their block size ({@link #MAX_ORDER}), and its solve with the factor ({@code
 * dpotrs}, two reference {@code dtrsm} calls) at any size: the same floating-point operations in
 * the same order, so the same bits, without the reference BLAS's per-call argument checks and with
 * the updates in SIMD lanes. The GMM's EM factors and inverts every cluster's covariance each
 * iteration, and every dynamics fit and LQR step solves with a factor; through the Java LAPACK
 * these ran one scalar operation at a time (docs/benchmarks.md).
 *
 * <p>What the reference routines do and these repeat: a column update {@code y += (-x_k) a_k}
 * (dgemv) or {@code x_p += x_c a_pc} (dtrmv) is skipped where the multiplier is exactly zero (the
 * BLAS of that LAPACK tests it), each element's sum runs over the columns in the reference order
 * with a multiply and an add (no fused multiply-add), and a non-positive pivot stops the
 * factorisation with its index (a NaN pivot does not: that dpotf2 tests {@code ajj <= 0} only).
 *
 * <p>The matrix is worked on in a copy whose columns are padded to {@link #paddedRows} rows, so that
 * every column update runs in whole lane groups: rows past n receive values nobody reads (a row's
 * result depends only on that row and on rows already final).
 */
final class UnblockedCholesky {
    /** The Java LAPACK's block size for dpotrf and dtrtri (ilaenv); above it they run blocked code. */
    static final int MAX_ORDER = 64;

    /** Whether the column updates run in SIMD lanes; not final so that a test can run the scalar loops too. */
    static boolean inLanes = PointKernels.VECTOR_API;

    private UnblockedCholesky() {
    }

    /**
     * dpotf2("L") on a (n x n, column-major, n at most {@link #MAX_ORDER}), in place: the lower
     * triangle becomes L, the strict upper triangle is left as it was. Returns LAPACK's info: 0, or
     * the 1-based index of the first non-positive pivot (that diagonal entry then holds it and the
     * columns after it are as they were).
     */
    static int factor(double[] a, int n) {
        int lda = paddedRows(n);
        double[] w = padded(a, n, lda);
        int info = 0;
        for (int j = 0; j < n; j++) {
            double dot = 0.0;
            for (int k = 0; k < j; k++) {
                double v = w[j + k * lda];
                dot = dot + v * v;
            }
            double ajj = w[j + j * lda] - dot;
            if (ajj <= 0.0) {
                w[j + j * lda] = ajj;
                info = j + 1;
                break;
            }
            ajj = Math.sqrt(ajj);
            w[j + j * lda] = ajj;
            int rows = n - 1 - j;
            if (rows > 0) {
                double r = 1.0 / ajj;
                if (inLanes) {
                    VectorKernels.choleskyColumn(w, lda, j, groups(rows), r);
                } else {
                    choleskyColumnScalar(w, lda, j, rows, r);
                }
            }
        }
        unpad(w, lda, a, n);
        return info;
    }

    /**
     * dtrtri("L", "N") on a lower triangle L (n x n, column-major, n at most {@link #MAX_ORDER}),
     * in place: L^{-1} in the lower triangle, the strict upper triangle left as it was. Returns
     * LAPACK's info: 0, or the 1-based index of the first exactly zero diagonal entry (nothing
     * then changed).
     */
    static int invertLower(double[] a, int n) {
        for (int i = 0; i < n; i++) {
            if (a[i + i * n] == 0.0) {
                return i + 1;
            }
        }
        int lda = paddedRows(n);
        double[] w = padded(a, n, lda);
        for (int j = n - 1; j >= 0; j--) {
            w[j + j * lda] = 1.0 / w[j + j * lda];
            double ajj = -w[j + j * lda];
            if (j < n - 1) {
                if (inLanes) {
                    VectorKernels.inverseColumn(w, lda, j, n);
                } else {
                    inverseColumnScalar(w, lda, j, n);
                }
                int xo = j * lda;
                for (int p = j + 1; p < n; p++) {
                    w[xo + p] = ajj * w[xo + p];
                }
            }
        }
        unpad(w, lda, a, n);
        return 0;
    }

    /**
     * dgemv("N", n-1-j, j, -1, a(j+1, 0), lda, a(j, 0), lda, 1, a(j+1, j), 1) then dscal by r: for
     * each row i below the diagonal, y_i + (-a_jk) a_ik over k = 0..j-1 in order (k skipped where
     * a_jk is zero), then times r.
     */
    static void choleskyColumnScalar(double[] w, int lda, int j, int rows, double r) {
        int yo = j * lda;
        for (int k = 0; k < j; k++) {
            double x = w[j + k * lda];
            if (x != 0.0) {
                double temp = -1.0 * x;
                int ao = k * lda;
                for (int i = j + 1; i <= j + rows; i++) {
                    w[yo + i] = w[yo + i] + temp * w[ao + i];
                }
            }
        }
        for (int i = j + 1; i <= j + rows; i++) {
            w[yo + i] = r * w[yo + i];
        }
    }

    /**
     * dtrmv("L", "N", "N", n-1-j, a(j+1, j+1), lda, a(j+1, j), 1): x = T x for x the part of
     * column j below the diagonal and T the inverse found so far (columns j+1..n-1), a column c of
     * T at a time from the last, each adding x_c T(p, c) to the rows p below c and then scaling
     * x_c by T(c, c), both skipped where x_c is zero.
     */
    static void inverseColumnScalar(double[] w, int lda, int j, int n) {
        int xo = j * lda;
        for (int c = n - 1; c > j; c--) {
            double temp = w[xo + c];
            if (temp != 0.0) {
                int co = c * lda;
                for (int p = c + 1; p < n; p++) {
                    w[xo + p] = w[xo + p] + temp * w[co + p];
                }
                w[xo + c] = w[xo + c] * w[co + c];
            }
        }
    }

    /**
     * dpotrs("L") with the factor L (n x n, column-major, its lower triangle read) on B (n x nrhs,
     * column-major), in place: B becomes (L L^T)^{-1} B. As the Java LAPACK's two reference dtrsm
     * calls: L Y = B, for each column from the first row (y_k = b_k / L_kk, then b_i - y_k L_ik
     * for the rows below, both skipped where b_k is exactly zero); then L^T X = Y, from the last
     * row (x_i = (1 y_i - L_ki x_k over k from i + 1 up, in order) / L_ii).
     */
    static void solve(double[] l, int n, double[] b, int nrhs) {
        if (n == 0 || nrhs == 0) {
            return;
        }
        if (!inLanes) {
            solveScalar(l, n, b, nrhs);
            return;
        }
        // The right-hand sides side by side in lanes: row k of B at k r, padded to whole lane groups.
        int r = (nrhs + VectorKernels.species().length() - 1) / VectorKernels.species().length()
                * VectorKernels.species().length();
        double[] bt = PointKernels.factorWork(n * r);
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < nrhs; j++) {
                bt[k * r + j] = b[j * n + k];
            }
            java.util.Arrays.fill(bt, k * r + nrhs, (k + 1) * r, 0.0);
        }
        VectorKernels.solveLower(l, n, bt, r);
        VectorKernels.solveLowerTransposed(l, n, bt, r);
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < nrhs; j++) {
                b[j * n + k] = bt[k * r + j];
            }
        }
    }

    /** {@link #solve}'s two triangular solves one element at a time, column by column (the reference loops). */
    static void solveScalar(double[] l, int n, double[] b, int nrhs) {
        for (int j = 0; j < nrhs; j++) {
            int bo = j * n;
            for (int k = 0; k < n; k++) {
                double bk = b[bo + k];
                if (bk != 0.0) {
                    bk = bk / l[k + k * n];
                    b[bo + k] = bk;
                    for (int i = k + 1; i < n; i++) {
                        b[bo + i] = b[bo + i] - bk * l[i + k * n];
                    }
                }
            }
        }
        for (int j = 0; j < nrhs; j++) {
            int bo = j * n;
            for (int i = n - 1; i >= 0; i--) {
                double temp = 1.0 * b[bo + i];
                for (int k = i + 1; k < n; k++) {
                    temp = temp - l[k + i * n] * b[bo + k];
                }
                b[bo + i] = temp / l[i + i * n];
            }
        }
    }

    /** Lane groups covering {@code rows} rows. */
    private static int groups(int rows) {
        int lanes = inLanes ? VectorKernels.species().length() : 1;
        return (rows + lanes - 1) / lanes;
    }

    /**
     * Rows per column of the work copy: n, and enough below it that a column's rows from any
     * diagonal position to n-1, rounded up to whole lane groups, stay inside the column.
     */
    static int paddedRows(int n) {
        int lanes = inLanes ? VectorKernels.species().length() : 1;
        return n + lanes - 1;
    }

    /**
     * This thread's work copy of a (n columns of lda rows), the padding rows zero. No real row ever
     * reads a padding row; zeros keep whatever they turn into finite and of ordinary size.
     */
    private static double[] padded(double[] a, int n, int lda) {
        double[] w = PointKernels.factorWork(lda * n);
        for (int j = 0; j < n; j++) {
            System.arraycopy(a, j * n, w, j * lda, n);
            java.util.Arrays.fill(w, j * lda + n, (j + 1) * lda, 0.0);
        }
        return w;
    }

    private static void unpad(double[] w, int lda, double[] a, int n) {
        for (int j = 0; j < n; j++) {
            System.arraycopy(w, j * lda, a, j * n, n);
        }
    }
}

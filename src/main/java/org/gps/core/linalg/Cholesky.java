package org.gps.core.linalg;

import org.netlib.util.intW;

import java.io.Serializable;

/**
 * Lower Cholesky factor L of a symmetric positive definite matrix A = L L^T, through LAPACK
 * {@code dpotrf} (the routine Breeze's {@code cholesky} calls), with the triangular solves
 * ({@code dtrtrs}/{@code dpotrs}) that Breeze does not expose.
 */
public final class Cholesky implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Mat lower;

    /**
     * Whether factorisations and lower inverses of order up to {@link UnblockedCholesky#MAX_ORDER},
     * and solves of any size, run in {@link UnblockedCholesky} rather than in the LAPACK: only where
     * the LAPACK is the Java one (F2J) whose routines it repeats to the bit; a native LAPACK keeps
     * being called. Not final so that a test can compare both.
     */
    static boolean useUnblocked = Mat.LAPACK_.getClass().getName().equals("dev.ludovic.netlib.lapack.F2jLAPACK");

    private Cholesky(Mat lower) {
        this.lower = lower;
    }

    /** Factors {@code a}; throws {@link NotPositiveDefiniteException} if it is not positive definite. */
    public static Cholesky of(Mat a) {
        Cholesky c = tryOf(a);
        if (c == null) {
            throw new NotPositiveDefiniteException("matrix " + a.shape() + " is not positive definite"
                    + (a.isFinite() ? "" : " (it holds NaN or infinite values)"));
        }
        return c;
    }

    /** Factors {@code a}, or returns null if it is not positive definite (or not finite). */
    public static Cholesky tryOf(Mat a) {
        if (a.rows() != a.cols()) {
            throw new IllegalArgumentException("Cholesky needs a square matrix, got " + a.shape());
        }
        if (!a.isFinite()) {
            return null;
        }
        int n = a.rows();
        double[] l = a.toColumnMajor();
        if (n == 0) {
            return new Cholesky(a);
        }
        int info;
        if (useUnblocked && n <= UnblockedCholesky.MAX_ORDER) {
            info = UnblockedCholesky.factor(l, n);
        } else {
            intW lapackInfo = new intW(0);
            Mat.LAPACK_.dpotrf("L", n, l, n, lapackInfo);
            info = lapackInfo.val;
        }
        if (info != 0) {
            return null;
        }
        for (int j = 1; j < n; j++) {
            for (int i = 0; i < j; i++) {
                l[j * n + i] = 0.0;
            }
        }
        return new Cholesky(Mat.wrap(n, n, l));
    }

    public Mat lower() {
        return lower;
    }

    public int size() {
        return lower.rows();
    }

    /** log det A = 2 sum log L_ii. */
    public double logDet() {
        double s = 0;
        double[] l = lower.raw();
        int n = size();
        for (int i = 0; i < n; i++) {
            s += Math.log(l[i * n + i]);
        }
        return 2 * s;
    }

    /** A^{-1} B. */
    public Mat solve(Mat b) {
        int n = size();
        if (b.rows() != n) {
            throw new IllegalArgumentException("cannot solve " + lower.shape() + " X = " + b.shape());
        }
        double[] x = b.toColumnMajor();
        if (n > 0 && b.cols() > 0) {
            if (useUnblocked) {
                UnblockedCholesky.solve(lower.raw(), n, x, b.cols());
            } else {
                intW info = new intW(0);
                Mat.LAPACK_.dpotrs("L", n, b.cols(), lower.raw(), n, x, n, info);
                checkInfo(info, "dpotrs");
            }
        }
        return Mat.wrap(n, b.cols(), x);
    }

    /** A^{-1} b. */
    public double[] solve(double[] b) {
        return solve(Mat.column(b)).column(0);
    }

    /** L^{-1} b: the whitened residual used by Gaussian log densities. */
    public double[] solveLower(double[] b) {
        int n = size();
        if (b.length != n) {
            throw new IllegalArgumentException("vector of " + b.length + " for a factor of size " + n);
        }
        double[] x = b.clone();
        if (n > 0) {
            intW info = new intW(0);
            Mat.LAPACK_.dtrtrs("L", "N", "N", n, 1, lower.raw(), n, x, n, info);
            checkInfo(info, "dtrtrs");
        }
        return x;
    }

    /** L^{-1} B for many right-hand sides at once (columns of B). */
    public Mat solveLower(Mat b) {
        int n = size();
        double[] x = b.toColumnMajor();
        if (n > 0 && b.cols() > 0) {
            intW info = new intW(0);
            Mat.LAPACK_.dtrtrs("L", "N", "N", n, b.cols(), lower.raw(), n, x, n, info);
            checkInfo(info, "dtrtrs");
        }
        return Mat.wrap(n, b.cols(), x);
    }

    /** L^{-1}, lower triangular, through LAPACK {@code dtrtri} (a third of the work of solving L X = I). */
    public Mat lowerInverse() {
        int n = size();
        double[] x = lower.toColumnMajor();
        if (n > 0) {
            intW info = new intW(0);
            if (useUnblocked && n <= UnblockedCholesky.MAX_ORDER) {
                info.val = UnblockedCholesky.invertLower(x, n);
            } else {
                Mat.LAPACK_.dtrtri("L", "N", n, x, n, info);
            }
            checkInfo(info, "dtrtri");
        }
        return Mat.wrap(n, n, x);
    }

    /** A^{-1}, symmetric. */
    public Mat inverse() {
        return solve(Mat.eye(size())).symmetrize();
    }

    /** The factored matrix L L^T. */
    public Mat reconstruct() {
        return lower.timesTranspose(lower);
    }

    private static void checkInfo(intW info, String routine) {
        if (info.val != 0) {
            throw new SingularMatrixException(routine + " failed with info=" + info.val);
        }
    }
}

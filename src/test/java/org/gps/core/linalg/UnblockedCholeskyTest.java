package org.gps.core.linalg;

import org.junit.jupiter.api.Test;
import org.netlib.util.intW;

import java.util.Random;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The factorisation and lower inverse of {@link UnblockedCholesky} against the Java LAPACK's
 * dpotrf and dtrtri that they replace, by raw bits of the whole array (the upper triangle too)
 * and by info, at every order up to the block size: any difference in a last bit would change a
 * GPS run's EM and everything after it.
 */
class UnblockedCholeskyTest {

    /**
     * The tests' LAPACK (jobs/jvm.options, native libraries off) is the one these routines repeat,
     * and they run in SIMD lanes (each comparison below runs the scalar loops too).
     */
    @Test
    void theTestsRunTheLapackTheRoutinesRepeat() {
        assertTrue(Cholesky.useUnblocked, Mat.LAPACK_.getClass().getName());
        assertTrue(UnblockedCholesky.inLanes);
    }

    /**
     * Covariances as EM builds them (a scatter plus a small ridge), of every order 1-64, some with
     * whole rows and columns of zeros off the diagonal and entries of -0.0 (the zero tests of the
     * reference BLAS and the signs of zero they keep), some scaled by 1e-150 or 1e150.
     */
    @Test
    void factorsPositiveDefiniteMatricesToTheLapacksBits() {
        Random r = new Random(11);
        for (int n = 1; n <= UnblockedCholesky.MAX_ORDER; n++) {
            for (int variant = 0; variant < 4; variant++) {
                double[] a = covariance(r, n, variant);
                double[] expected = a.clone();
                intW info = new intW(0);
                Mat.LAPACK_.dpotrf("L", n, expected, n, info);
                double[] actual = a.clone();
                String what = "n=" + n + " variant " + variant;
                int order = n;
                int ours = inLanesAndScalar(actual, what, x -> UnblockedCholesky.factor(x, order));
                assertEquals(0, info.val, what);
                assertEquals(info.val, ours, what);
                KernelTestValues.assertSameBits(expected, actual, what);
            }
        }
    }

    /**
     * Not positive definite (a negative, a zero and a NaN pivot at a random position, and a
     * matrix whose pivot only turns non-positive after the updates of the columns before it): the
     * same info and the same array, the failing pivot written and the later columns untouched.
     */
    @Test
    void stopsAtTheSamePivotAsTheLapack() {
        Random r = new Random(12);
        int nanPivots = 0;
        for (int n = 1; n <= UnblockedCholesky.MAX_ORDER; n += 3) {
            for (int variant = 0; variant < 4; variant++) {
                double[] a = covariance(r, n, 0);
                int at = r.nextInt(n);
                if (variant == 0) {
                    a[at * n + at] = -1.0;
                } else if (variant == 1) {
                    a[at * n + at] = 0.0;
                } else if (variant == 2) {
                    a[at * n + at] = Double.NaN;
                    nanPivots++;
                } else if (n > 1) {
                    // Two equal columns: singular, the second pivot 0 or a rounding away from it.
                    int other = (at + 1) % n;
                    for (int i = 0; i < n; i++) {
                        a[i * n + other] = a[i * n + at];
                        a[other * n + i] = a[at * n + i];
                    }
                    a[other * n + other] = a[at * n + at];
                }
                double[] expected = a.clone();
                intW info = new intW(0);
                Mat.LAPACK_.dpotrf("L", n, expected, n, info);
                double[] actual = a.clone();
                String what = "n=" + n + " variant " + variant + " at " + at;
                int order = n;
                int ours = inLanesAndScalar(actual, what, x -> UnblockedCholesky.factor(x, order));
                assertEquals(info.val, ours, what);
                KernelTestValues.assertSameBits(expected, actual, what);
            }
        }
        assertTrue(nanPivots > 10);
    }

    /**
     * Lower triangles of every order 1-64: Cholesky factors, and triangles of mixed values with
     * zeros of both signs, tiny and huge entries (products that underflow, sums that overflow to
     * infinities and NaN); an exactly zero diagonal entry gives the LAPACK's info with nothing
     * changed.
     */
    @Test
    void invertsLowerTrianglesToTheLapacksBits() {
        Random r = new Random(13);
        for (int n = 1; n <= UnblockedCholesky.MAX_ORDER; n++) {
            for (int variant = 0; variant < 4; variant++) {
                double[] l;
                if (variant == 0) {
                    l = covariance(r, n, 1);
                    Mat.LAPACK_.dpotrf("L", n, l, n, new intW(0));
                } else {
                    l = KernelTestValues.mixed(r, n * n, 12, 1e-200, 1e200, 3);
                    for (int i = 0; i < n; i++) {
                        l[i * n + i] = 1 + r.nextDouble();
                    }
                }
                if (variant == 3) {
                    l[r.nextInt(n) * (n + 1)] = r.nextBoolean() ? 0.0 : -0.0;
                }
                double[] expected = l.clone();
                intW info = new intW(0);
                Mat.LAPACK_.dtrtri("L", "N", n, expected, n, info);
                double[] actual = l.clone();
                String what = "n=" + n + " variant " + variant;
                int order = n;
                int ours = inLanesAndScalar(actual, what, x -> UnblockedCholesky.invertLower(x, order));
                assertEquals(info.val, ours, what);
                assertEquals(variant == 3, ours != 0, what);
                KernelTestValues.assertSameBits(expected, actual, what);
            }
        }
    }

    /**
     * Solves with factors of orders 1-70 (past the block size too: dpotrs has none) for 1-33
     * right-hand sides: right-hand sides of mixed values with zeros of both signs (the reference
     * dtrsm skips a column whose multiplier is zero, which keeps a -0.0 below it) and whole zero
     * columns; factors of matrices scaled by 1e-150 and 1e150 (tiny and huge solutions).
     */
    @Test
    void solvesToTheLapacksBits() {
        Random r = new Random(15);
        int[] rhs = {1, 2, 3, 7, 8, 9, 16, 26, 33};
        for (int n = 1; n <= 70; n += n < 12 ? 1 : 7) {
            for (int variant = 0; variant < 4; variant++) {
                double[] l = covariance(r, n, variant);
                Mat.LAPACK_.dpotrf("L", n, l, n, new intW(0));
                int nrhs = rhs[r.nextInt(rhs.length)];
                double[] b = KernelTestValues.mixed(r, n * nrhs, 6, 1e-200, 1e200, 3);
                if (nrhs > 1) {
                    java.util.Arrays.fill(b, 0, n, variant % 2 == 0 ? 0.0 : -0.0);
                }
                double[] expected = b.clone();
                intW info = new intW(0);
                Mat.LAPACK_.dpotrs("L", n, nrhs, l, n, expected, n, info);
                String what = "n=" + n + " nrhs=" + nrhs + " variant " + variant;
                assertEquals(0, info.val, what);
                double[] actual = b.clone();
                int order = n;
                int rhsCount = nrhs;
                inLanesAndScalar(actual, what, x -> {
                    UnblockedCholesky.solve(l, order, x, rhsCount);
                    return 0;
                });
                KernelTestValues.assertSameBits(expected, actual, what);
            }
        }
    }

    /** {@link Cholesky} takes its factor, inverse and solves from here, and from the LAPACK when told not to: the same bits. */
    @Test
    void choleskyGivesTheSameBitsThroughEitherRoute() {
        Random r = new Random(14);
        for (int n : new int[] {1, 5, 59, 64, 65, 80}) {
            Mat a = Mat.wrap(n, n, covariance(r, n, 1));
            Cholesky ours = Cholesky.tryOf(a);
            Cholesky viaLapack = throughLapack(() -> Cholesky.tryOf(a));
            KernelTestValues.assertSameBits(viaLapack.lower().toColumnMajor(), ours.lower().toColumnMajor(),
                    "factor n=" + n);
            KernelTestValues.assertSameBits(throughLapack(ours::lowerInverse).toColumnMajor(),
                    ours.lowerInverse().toColumnMajor(), "inverse n=" + n);
            Mat rhs = Mat.wrap(n, 5, KernelTestValues.mixed(r, n * 5, 10, 1e-100, 1e100, 2));
            KernelTestValues.assertSameBits(throughLapack(() -> ours.solve(rhs)).toColumnMajor(),
                    ours.solve(rhs).toColumnMajor(), "solve n=" + n);
        }
        Mat notPd = Mat.wrap(2, 2, new double[] {1, 2, 2, 1});
        assertNull(Cholesky.tryOf(notPd));
    }

    /**
     * X X^T / m + 1e-6 I for m = n + 3 random points, column-major, the upper triangle filled too
     * (the routines must leave it as it was). Variant 1: about a fifth of the coordinates zero in
     * every point, so whole rows and columns of the matrix and of its factor are zero off the
     * diagonal; 2: scaled by 1e-150; 3: by 1e150. Zero entries are -0.0 about half the time.
     */
    private static double[] covariance(Random r, int n, int variant) {
        int m = n + 3;
        double[] x = new double[n * m];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextGaussian();
        }
        if (variant == 1) {
            for (int i = 0; i < n; i++) {
                if (r.nextInt(5) == 0) {
                    for (int p = 0; p < m; p++) {
                        x[i + p * n] = 0.0;
                    }
                }
            }
        }
        double scale = variant == 2 ? 1e-150 : variant == 3 ? 1e150 : 1.0;
        double[] a = new double[n * n];
        for (int c = 0; c < n; c++) {
            for (int i = c; i < n; i++) {
                double s = 0.0;
                for (int p = 0; p < m; p++) {
                    s += x[i + p * n] * x[c + p * n];
                }
                double v = scale * (s / m + (i == c ? 1e-6 : 0.0));
                if (v == 0.0 && r.nextBoolean()) {
                    v = -0.0;
                }
                a[c * n + i] = v;
                a[i * n + c] = v;
            }
        }
        return a;
    }

    /** {@code call} with {@link Cholesky} sending everything to the LAPACK. */
    private static <T> T throughLapack(Supplier<T> call) {
        boolean before = Cholesky.useUnblocked;
        try {
            Cholesky.useUnblocked = false;
            return call.get();
        } finally {
            Cholesky.useUnblocked = before;
        }
    }

    /**
     * Runs {@code routine} (returning LAPACK's info) on a in SIMD lanes, and on a copy with the
     * scalar loops: the same bits and info. Returns the info.
     */
    private static int inLanesAndScalar(double[] a, String what, ToIntFunction<double[]> routine) {
        double[] scalar = a.clone();
        int info = routine.applyAsInt(a);
        boolean before = UnblockedCholesky.inLanes;
        try {
            UnblockedCholesky.inLanes = false;
            assertEquals(info, routine.applyAsInt(scalar), what + " (scalar)");
        } finally {
            UnblockedCholesky.inLanes = before;
        }
        KernelTestValues.assertSameBits(a, scalar, what + " (scalar)");
        return info;
    }
}

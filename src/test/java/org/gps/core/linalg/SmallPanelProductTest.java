package org.gps.core.linalg;

import org.gps.core.gmm.EmResult;
import org.gps.core.gmm.Gmm;
import org.gps.core.gmm.GmmEm;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.gmm.PointBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The E-step's own product of small panels against the dgemm call it replaces, compared by raw
 * bits: any difference in the last bit of a distance would change a GPS run's whole path.
 */
class SmallPanelProductTest {

    private static final int[] CLUSTERS = {1, 2, 3, 4, 5, 7, 11, 13, 20, 31, 33, 50, 59, 60};
    private static final int[] POINTS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 200, 255, 256};

    /** The tests' BLAS (jobs/jvm.options, native libraries off) is the one the kernel reproduces. */
    @Test
    void theTestsRunTheBlasTheKernelReproduces() {
        assertTrue(PointKernels.JAVA11_DGEMM, Mat.BLAS_.getClass().getName());
        assertTrue(PointKernels.useSmallPanelProduct);
    }

    /**
     * Every panel width the kernel takes, with panel heights of 1 to 60 clusters (dense and
     * lower-triangular panels, as {@link PointKernels.Whitening} stacks them), point counts below,
     * at and past multiples of the SIMD width, chunks that start inside the block, up to netlib's
     * switch to its blocked path (the shapes past it are left to dgemm, and must be refused).
     * Values of every sign and of magnitudes from 1e-300 to 1e300, with zeros: sums that overflow,
     * and a few points and panel rows of tiny values, whose products underflow to zeros of either
     * sign.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void sameBitsAsDgemmForEveryShape(int r1) {
        Random r = new Random(1000 + r1);
        int negativeZeros = 0;
        int taken = 0;
        for (int kk : CLUSTERS) {
            int rows = kk * r1;
            for (int m : POINTS) {
                if (!PointKernels.takesSmallPanel(m, rows, r1)) {
                    assertTrue(m * rows * r1 >= PointKernels.JAVA11_BLOCKED_DGEMM, "refused " + m + " x " + rows);
                    continue;
                }
                taken++;
                int dim = r1 + (m % 3 == 0 ? 0 : r.nextInt(3));
                int j0 = m % 2 == 0 ? 0 : 1 + r.nextInt(5);
                double[] points = values(r, (j0 + m) * dim + 3);
                double[] w = values(r, rows * r1);
                tinyCorner(r, points, j0, dim, m, r1, w, rows);
                if (m % 4 == 1) {
                    lowerTriangular(w, kk, r1);
                }
                double[] expected = new double[m * rows];
                Mat.BLAS_.dgemm("T", "T", m, rows, r1, 1.0, points, j0 * dim, dim, w, 0, rows, 0.0, expected, 0, m);
                double[] lanes = filled(m * rows + 5);
                PointKernels.smallPanelProduct(points, j0 * dim, dim, m, r1, w, rows, lanes);
                double[] scalar = filled(m * rows + 5);
                PointKernels.smallPanelProductScalar(transposed(points, j0 * dim, dim, m, r1), m, r1, w, rows, scalar, 0);
                String shape = "r1=" + r1 + " K=" + kk + " m=" + m + " j0=" + j0;
                assertSameBits(expected, lanes, shape + " (SIMD)");
                assertSameBits(expected, scalar, shape + " (scalar)");
                for (double v : expected) {
                    negativeZeros += Double.doubleToRawLongBits(v) == Long.MIN_VALUE ? 1 : 0;
                }
            }
        }
        assertTrue(taken >= 100, "only " + taken + " shapes taken");
        assertTrue(negativeZeros > 0, "no -0.0 among dgemm's results: the sign of zero went untested");
    }

    /**
     * The shapes of the E-step on Pendulum's policy prior (K = 50, D = 4; 2,000 points in chunks
     * of 256 and a last one of 208) and of the largest prior the kernel takes in full (D = 12,
     * K = 27) go to the kernel; D = 12 at K = 28 is on netlib's blocked path and does not.
     */
    @Test
    void thePipelinesShapesAreTaken() {
        assertTrue(PointKernels.takesSmallPanel(256, 50 * 4, 4));
        assertTrue(PointKernels.takesSmallPanel(208, 50 * 4, 4));
        assertTrue(PointKernels.takesSmallPanel(256, 27 * 12, 12));
        assertTrue(!PointKernels.takesSmallPanel(256, 28 * 12, 12));
        assertTrue(!PointKernels.takesSmallPanel(1, 13, 13));
    }

    /**
     * The whole EM, with the kernel and with dgemm, from the same start: every number of the fitted
     * mixture and every log-likelihood the same to the bit, at a dimension above and one below a
     * SIMD width.
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 9})
    void gmmEmFitsTheSameBitsWithTheKernelAndWithDgemm(int dim) {
        Random r = new Random(dim);
        List<double[]> pts = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            double[] centre = new double[dim];
            for (int i = 0; i < dim; i++) {
                centre[i] = 5 * r.nextGaussian();
            }
            for (int p = 0; p < 333; p++) {
                double[] x = new double[dim];
                for (int i = 0; i < dim; i++) {
                    x[i] = centre[i] + (1 + i % 3) * r.nextGaussian();
                }
                pts.add(x);
            }
        }
        List<PointBlock> blocks = new ArrayList<>();
        for (int i = 0; i < pts.size(); i += 700) {
            blocks.add(PointBlock.of(0, pts.subList(i, Math.min(pts.size(), i + 700)), i));
        }
        // No tolerance: all 60 iterations run, whatever the log-likelihood does.
        GmmOptions options = new GmmOptions(60, 0.0, 1e-6, 2e-6, 1e-4, 7, false, GmmOptions.Initialization.AUTO);
        boolean before = PointKernels.useSmallPanelProduct;
        EmResult withKernel;
        EmResult withDgemm;
        try {
            PointKernels.useSmallPanelProduct = true;
            withKernel = GmmEm.fit(blocks, 20, options, null);
            PointKernels.useSmallPanelProduct = false;
            withDgemm = GmmEm.fit(blocks, 20, options, null);
        } finally {
            PointKernels.useSmallPanelProduct = before;
        }
        assertEquals(60, withKernel.iterations());
        assertSameBits(withDgemm.logLikelihoods(), withKernel.logLikelihoods(), "log-likelihoods");
        Gmm a = withDgemm.model();
        Gmm b = withKernel.model();
        assertEquals(a.clusters(), b.clusters());
        for (int k = 0; k < a.clusters(); k++) {
            assertSameBits(new double[] {a.logMass(k)}, new double[] {b.logMass(k)}, "log mass " + k);
            assertSameBits(a.mean(k), b.mean(k), "mean " + k);
            assertSameBits(a.covariance(k).toColumnMajor(), b.covariance(k).toColumnMajor(), "covariance " + k);
        }
    }

    /** Gaussians scaled by e^(6 g) (1e-6 to 1e6 mostly), a few at 1e+-300, zeros, -0.0. */
    private static double[] values(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(40);
            if (kind == 0) {
                v[i] = 0.0;
            } else if (kind == 1) {
                v[i] = -0.0;
            } else if (kind == 2) {
                v[i] = r.nextGaussian() * 1e-300;
            } else if (kind == 3) {
                v[i] = r.nextGaussian() * 1e300;
            } else {
                v[i] = r.nextGaussian() * Math.exp(6 * r.nextGaussian());
            }
        }
        return v;
    }

    /**
     * Up to three points and three panel rows of values near 1e-300: their products underflow,
     * and each entry of the product of such a point and such a row is a zero whose sign the
     * products' signs and their order decide.
     */
    private static void tinyCorner(Random r, double[] points, int j0, int dim, int m, int r1, double[] w, int rows) {
        for (int t = 0; t < 3; t++) {
            int j = r.nextInt(m);
            int c = r.nextInt(rows);
            for (int l = 0; l < r1; l++) {
                points[(j0 + j) * dim + l] = r.nextGaussian() * 1e-300;
                w[l * rows + c] = r.nextGaussian() * 1e-300;
            }
        }
    }

    /** Zeros above each cluster's diagonal, as in a one-panel {@link PointKernels.Whitening}. */
    private static void lowerTriangular(double[] w, int kk, int h) {
        int rows = kk * h;
        for (int k = 0; k < kk; k++) {
            for (int i = 0; i < h; i++) {
                for (int col = i + 1; col < h; col++) {
                    w[col * rows + k * h + i] = 0.0;
                }
            }
        }
    }

    /** Output arrays start full of NaN: an entry the kernel does not write shows. */
    private static double[] filled(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }

    private static double[] transposed(double[] points, int po, int dim, int m, int r1) {
        double[] xt = new double[r1 * m];
        for (int j = 0; j < m; j++) {
            for (int l = 0; l < r1; l++) {
                xt[l * m + j] = points[po + j * dim + l];
            }
        }
        return xt;
    }

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Double.doubleToRawLongBits(expected[i]), Double.doubleToRawLongBits(actual[i]),
                    what + ": entry " + i);
        }
    }
}

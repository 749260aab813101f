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
 * The E-step's own panel product against the dgemm call it replaces, compared by raw bits where
 * netlib's dgemm runs its direct loops (any difference in the last bit of a distance would change
 * a GPS run's whole path), and in SIMD lanes against its scalar definition everywhere.
 */
class PanelProductTest {

    private static final int[] CLUSTERS = {1, 2, 3, 4, 5, 7, 11, 13, 20, 31, 33, 50, 59, 60};
    private static final int[] POINTS = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 200, 255, 256};

    /** The tests' BLAS (jobs/jvm.options, native libraries off) is the one the kernel reproduces. */
    @Test
    void theTestsRunTheBlasTheKernelReproduces() {
        assertTrue(PointKernels.JAVA11_DGEMM, Mat.BLAS_.getClass().getName());
        assertTrue(PointKernels.usePanelProduct);
    }

    /**
     * Panel widths up to 12 and those of a 59-dimensional whitening in panels of 16 (16, 32, 48,
     * 59), with panel heights of 1 to 60 clusters (dense and lower-triangular panels, as
     * {@link PointKernels.Whitening} stacks them), point counts below, at and past multiples of the
     * SIMD width and of the kernel's two lane groups, chunks that start inside the block. Where
     * netlib's dgemm runs its direct loops the kernel gives dgemm's bits, in SIMD lanes and scalar;
     * past them (its blocked path, whose order of summation is not the direct loops') the SIMD
     * kernel gives its scalar definition's bits. Values of every sign and of magnitudes from
     * 1e-300 to 1e300, with zeros: sums that overflow, and a few points and panel rows of tiny
     * values, whose products underflow to zeros of either sign.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 32, 48, 59})
    void sameBitsAsDgemmOnItsDirectPathAndAsTheScalarChainsEverywhere(int r1) {
        Random r = new Random(1000 + r1);
        int negativeZeros = 0;
        int direct = 0;
        int blocked = 0;
        for (int kk : CLUSTERS) {
            int rows = kk * r1;
            for (int m : POINTS) {
                boolean repeatsDgemm = PointKernels.repeatsDgemm(m, rows, r1);
                if (!repeatsDgemm && r1 > 12 && (kk + m) % 3 != 0) {
                    continue;  // a third of the widest panels' shapes: each is millions of operations
                }
                int dim = r1 + (m % 3 == 0 ? 0 : r.nextInt(3));
                int j0 = m % 2 == 0 ? 0 : 1 + r.nextInt(5);
                double[] points = values(r, (j0 + m) * dim + 3);
                double[] w = values(r, rows * r1);
                tinyCorner(r, points, j0, dim, m, r1, w, rows);
                if (m % 4 == 1) {
                    lowerTriangular(w, kk, r1);
                }
                double[] lanes = filled(m * rows + 5);
                PointKernels.panelProduct(points, j0 * dim, dim, m, r1, w, rows, lanes, m);
                double[] scalar = filled(m * rows + 5);
                PointKernels.panelProductScalar(transposed(points, j0 * dim, dim, m, r1), m, r1, w, rows, scalar, 0);
                String shape = "r1=" + r1 + " K=" + kk + " m=" + m + " j0=" + j0;
                double[] expected = new double[m * rows];
                if (repeatsDgemm) {
                    direct++;
                    Mat.BLAS_.dgemm("T", "T", m, rows, r1, 1.0, points, j0 * dim, dim, w, 0, rows, 0.0, expected, 0, m);
                } else {
                    blocked++;
                    fmaChains(points, j0 * dim, dim, m, r1, w, rows, expected);
                }
                assertSameBits(expected, scalar, shape + " (scalar)");
                assertSameBits(expected, lanes, shape + " (SIMD)");
                // Rows padded to whole lane groups, as the E-step computes them: each row's first m
                // entries the same.
                int zs = VectorKernels.padded(m) + (m % 2 == 0 ? 0 : VectorKernels.padded(1));
                double[] padded = filled(zs * rows);
                PointKernels.panelProduct(points, j0 * dim, dim, m, r1, w, rows, padded, zs);
                double[] firstM = new double[m * rows];
                for (int c = 0; c < rows; c++) {
                    System.arraycopy(padded, c * zs, firstM, c * m, m);
                }
                assertSameBits(expected, firstM, shape + " (SIMD, rows " + zs + " apart)");
                for (double v : expected) {
                    negativeZeros += Double.doubleToRawLongBits(v) == Long.MIN_VALUE ? 1 : 0;
                }
            }
        }
        assertTrue(r1 > 12 || direct >= 100, "only " + direct + " shapes on dgemm's direct path");
        // Up to r1 = 8 every shape here is below 1,000,000 multiply-adds (256 x 60 x 8 x 8).
        assertTrue(r1 <= 8 || blocked > 0, "no shape past dgemm's direct path");
        assertTrue(negativeZeros > 0, "no -0.0 among the results: the sign of zero went untested");
    }

    /** The kernel's definition, written out: entry (j, c) the chain of fma over l in order from +0.0. */
    private static void fmaChains(double[] points, int po, int dim, int m, int r1, double[] w, int rows, double[] out) {
        for (int c = 0; c < rows; c++) {
            for (int j = 0; j < m; j++) {
                double z = 0.0;
                for (int l = 0; l < r1; l++) {
                    z = Math.fma(points[po + j * dim + l], w[l * rows + c], z);
                }
                out[c * m + j] = z;
            }
        }
    }

    /**
     * The E-step's shapes on Pendulum (the policy prior: K = 50, D = 4, 2,000 points in chunks of
     * 256 and a last one of 208; the dynamics prior: K = 20, D = 7) are on dgemm's direct path,
     * where the kernel gives dgemm's numbers, so the documented Pendulum runs keep theirs; D = 12
     * at K = 28, and the benchmarks' D = 59 in panels of 16, are past it.
     */
    @Test
    void thePendulumShapesRepeatDgemm() {
        assertTrue(PointKernels.repeatsDgemm(256, 50 * 4, 4));
        assertTrue(PointKernels.repeatsDgemm(208, 50 * 4, 4));
        assertTrue(PointKernels.repeatsDgemm(256, 20 * 7, 7));
        assertTrue(PointKernels.repeatsDgemm(256, 27 * 12, 12));
        assertTrue(!PointKernels.repeatsDgemm(256, 28 * 12, 12));
        assertTrue(!PointKernels.repeatsDgemm(256, 20 * 16, 16));
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
        boolean before = PointKernels.usePanelProduct;
        EmResult withKernel;
        EmResult withDgemm;
        try {
            PointKernels.usePanelProduct = true;
            withKernel = GmmEm.fit(blocks, 20, options, null);
            PointKernels.usePanelProduct = false;
            withDgemm = GmmEm.fit(blocks, 20, options, null);
        } finally {
            PointKernels.usePanelProduct = before;
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

    /**
     * The E-step's distances under a whitening of several panels, over chunks of points (fewer
     * than, exactly and more than one chunk, a last chunk not a whole lane group): each distance is
     * the panel rows' fused multiply-add chains over the panel's width (the zeros right of the
     * triangle included), minus b, squared and added in row order, to the bit, whatever stride the
     * chunk's transposed points and products are kept at.
     */
    @ParameterizedTest
    @ValueSource(ints = {17, 33, 59})
    void distancesOverManyPanelsAndChunksAreTheRowChainsSquaredInRowOrder(int dim) {
        Random r = new Random(7000 + dim);
        for (int kk : new int[] {1, 3, 20}) {
            double[][] lowerInverse = new double[kk][dim * dim];
            double[][] whitenedMean = new double[kk][];
            for (int k = 0; k < kk; k++) {
                double[] v = values(r, dim * dim);
                for (int c = 0; c < dim; c++) {
                    for (int row = c; row < dim; row++) {
                        lowerInverse[k][c * dim + row] = v[c * dim + row];
                    }
                }
                whitenedMean[k] = values(r, dim);
            }
            PointKernels.Whitening wh = new PointKernels.Whitening(lowerInverse, whitenedMean, dim);
            for (int n : new int[] {1, 7, 255, 256, 257, 300, 600}) {
                double[] points = values(r, n * dim);
                double[] expected = new double[kk * n];
                for (int k = 0; k < kk; k++) {
                    for (int j = 0; j < n; j++) {
                        double acc = 0.0;
                        for (int row = 0; row < dim; row++) {
                            int width = Math.min(dim, (row / PointKernels.PANEL_ROWS + 1) * PointKernels.PANEL_ROWS);
                            double z = 0.0;
                            for (int l = 0; l < width; l++) {
                                z = Math.fma(points[j * dim + l], l <= row ? lowerInverse[k][l * dim + row] : 0.0, z);
                            }
                            double v = z - whitenedMean[k][row];
                            acc = acc + v * v;
                        }
                        expected[k * n + j] = acc;
                    }
                }
                assertSameBits(expected, PointKernels.mahalanobis(wh, points, n), "D=" + dim + " K=" + kk + " n=" + n);
            }
        }
    }

    /** Gaussians scaled by e^(6 g) (1e-6 to 1e6 mostly), a few at 1e+-300, zeros, -0.0. */
    static double[] values(Random r, int n) {
        return KernelTestValues.mixed(r, n, 40, 1e-300, 1e300, 6);
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

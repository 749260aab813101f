package org.gps.core.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused log-joint kernel ({@link PointKernels#logJoint}) against what it replaces, the
 * distances of {@link PointKernels#mahalanobis} (through {@link PointKernels#panelProduct})
 * followed by c - 0.5 d, compared by raw bits, in SIMD lanes and scalar;
 * and the list of terms the E-step takes from them ({@link PointKernels#listNotBelow}).
 */
class LogJointKernelTest {

    @Test
    void sameBitsAsTheDistancesForEveryShapeTaken() {
        Random r = new Random(17);
        int taken = 0;
        for (int dim = 1; dim <= PointKernels.PANEL_ROWS + 1; dim++) {
            for (int kk : new int[] {1, 2, 3, 5, 13, 20, 27, 50, 60}) {
                for (int n : new int[] {1, 3, 4, 5, 17, 64, 100, 256, 257, 600}) {
                    double[][] lower = new double[kk][];
                    double[][] whitened = new double[kk][];
                    for (int k = 0; k < kk; k++) {
                        lower[k] = values(r, dim * dim);
                        whitened[k] = values(r, dim);
                    }
                    PointKernels.Whitening wh = new PointKernels.Whitening(lower, whitened, dim);
                    if (!PointKernels.takesLogJoint(wh, n)) {
                        assertTrue(dim > PointKernels.PANEL_ROWS, "refused D=" + dim);
                        continue;
                    }
                    taken++;
                    double[] points = values(r, dim * n);
                    double[] c = values(r, kk);
                    double[] expected = PointKernels.mahalanobis(wh, points, n);
                    for (int k = 0; k < kk; k++) {
                        for (int j = 0; j < n; j++) {
                            expected[k * n + j] = c[k] - 0.5 * expected[k * n + j];
                        }
                    }
                    String shape = "D=" + dim + " K=" + kk + " n=" + n;
                    for (int chunk : new int[] {1, 7, 64, 256}) {
                        double[] lanes = new double[kk * n];
                        double[] scalar = new double[kk * n];
                        for (int j0 = 0; j0 < n; j0 += chunk) {
                            int m = Math.min(chunk, n - j0);
                            double[] out = filled(kk * m);
                            PointKernels.logJoint(wh, c, points, j0, m, out, m);
                            copyChunk(out, m, lanes, n, j0, kk);
                            double[] xt = new double[dim * m];
                            for (int j = 0; j < m; j++) {
                                for (int l = 0; l < dim; l++) {
                                    xt[l * m + j] = points[(j0 + j) * dim + l];
                                }
                            }
                            double[] outScalar = filled(kk * m);
                            PointKernels.logJointScalar(xt, m, dim, wh.panelWeights(), wh.panelOffsets(), kk, c,
                                    outScalar, m, 0);
                            copyChunk(outScalar, m, scalar, n, j0, kk);
                        }
                        KernelTestValues.assertSameBits(expected, lanes, shape + " chunk " + chunk + " (SIMD)");
                        KernelTestValues.assertSameBits(expected, scalar, shape + " chunk " + chunk + " (scalar)");
                    }
                }
            }
        }
        assertTrue(taken >= 300, "only " + taken + " shapes taken");
    }

    /**
     * The E-step's list of the terms it takes, in SIMD lanes, against the scalar loop: offsets,
     * lengths below, at and past lane multiples, runs of listed and unlisted points, values at the
     * threshold, NaN and infinities.
     */
    @Test
    void listNotBelowListsWhatTheScalarLoopLists() {
        Random r = new Random(29);
        double threshold = -40;
        for (int trial = 0; trial < 2000; trial++) {
            int m = r.nextInt(300);
            int o = r.nextInt(20);
            double[] v = new double[o + m];
            double[] max = new double[m];
            boolean near = r.nextBoolean();
            for (int j = 0; j < m; j++) {
                if (r.nextInt(20) == 0) {
                    near = !near;
                }
                max[j] = 10 * r.nextGaussian();
                int kind = r.nextInt(100);
                v[o + j] = kind == 0 ? Double.NaN : kind == 1 ? Double.NEGATIVE_INFINITY : kind == 2 ? max[j] + threshold
                        : kind == 3 ? Math.nextDown(max[j] + threshold) : max[j] + (near ? -30 : -50) * r.nextDouble();
            }
            if (r.nextInt(10) == 0 && m > 0) {
                max[r.nextInt(m)] = Double.NaN;
            }
            int t = r.nextInt(7);
            int[] expected = new int[t + m + 1];
            int[] actual = new int[t + m + 1];
            int ce = PointKernels.listNotBelowScalar(v, o, max, threshold, expected, t, 0, m, 0);
            int ca = PointKernels.listNotBelow(v, o, max, m, threshold, actual, t);
            assertEquals(ce, ca, "trial " + trial);
            for (int q = 0; q < ce; q++) {
                assertEquals(expected[t + q], actual[t + q], "trial " + trial + " entry " + q);
            }
        }
    }

    /** A whitening of more than one panel (D above 16) is not taken; one panel is, at any K. */
    @Test
    void whiteningsOfMoreThanOnePanelAreRefused() {
        assertTrue(!PointKernels.takesLogJoint(whitening(PointKernels.PANEL_ROWS + 1, 2), 100));
        assertTrue(!PointKernels.takesLogJoint(whitening(20, 2), 100));
        assertTrue(PointKernels.takesLogJoint(whitening(PointKernels.PANEL_ROWS, 2), 100));
        assertTrue(PointKernels.takesLogJoint(whitening(12, 28), 256));
        assertTrue(PointKernels.takesLogJoint(whitening(4, 50), 2000));
        assertTrue(!PointKernels.takesLogJoint(whitening(4, 50), 0));
    }

    private static PointKernels.Whitening whitening(int dim, int kk) {
        Random r = new Random(dim);
        double[][] lower = new double[kk][];
        double[][] whitened = new double[kk][];
        for (int k = 0; k < kk; k++) {
            lower[k] = values(r, dim * dim);
            whitened[k] = values(r, dim);
        }
        return new PointKernels.Whitening(lower, whitened, dim);
    }

    private static void copyChunk(double[] chunk, int m, double[] all, int n, int j0, int kk) {
        for (int k = 0; k < kk; k++) {
            System.arraycopy(chunk, k * m, all, k * n + j0, m);
        }
    }

    /** Gaussians scaled by e^(4 g), a few at 1e+-200 (squares that overflow or underflow), zeros, -0.0. */
    private static double[] values(Random r, int n) {
        return KernelTestValues.mixed(r, n, 60, 1e-200, 1e200, 4);
    }

    private static double[] filled(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, Double.NaN);
        return a;
    }
}

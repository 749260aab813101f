package org.gps.core.linalg;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The M-step's own scatters (of four-dimensional points, {@link PointKernels#addSelectedMoments4},
 * and of any dimension, {@link PointKernels#addSelectedMomentsByChains}) against the
 * gather and dgemm call they replace, compared by raw bits.
 */
class DirectScatterTest {

    /** The tests' BLAS is the one whose dgemm the kernel repeats. */
    @Test
    void theTestsRunTheBlasTheKernelReproduces() {
        assertTrue(PointKernels.useDirectScatter);
    }

    /**
     * Point counts from 1 to past a thousand, weights from 1e-12 to 1, coordinates of every sign
     * and of magnitudes from 1e-200 to 1e200 (products that overflow and underflow), points equal
     * to the shift (zero offsets), and sums and scatters that start at values of either sign,
     * -0.0 among them: every number the same bits as through dgemm.
     */
    @Test
    void sameBitsAsTheGatherAndDgemm() {
        Random r = new Random(23);
        int negativeZeros = 0;
        for (int trial = 0; trial < 3000; trial++) {
            int n = 1 + r.nextInt(trial % 10 == 0 ? 1200 : 80);
            double[] points = new double[4 * n];
            for (int i = 0; i < points.length; i++) {
                points[i] = value(r);
            }
            double[] shift = new double[4];
            for (int i = 0; i < 4; i++) {
                shift[i] = r.nextInt(4) == 0 ? points[i] : value(r);
            }
            double[] weights = new double[n];
            for (int j = 0; j < n; j++) {
                int kind = r.nextInt(4);
                weights[j] = kind == 0 ? 0.0 : kind == 1 ? 1e-12 * (1 + r.nextDouble()) : Math.exp(-30 * r.nextDouble());
            }
            double[] sum = new double[4];
            double[] scatter = new double[16];
            for (int i = 0; i < 4; i++) {
                sum[i] = r.nextInt(3) == 0 ? -0.0 : value(r);
            }
            for (int i = 0; i < 16; i++) {
                scatter[i] = r.nextInt(3) == 0 ? -0.0 : value(r);
            }
            double[] sumDirect = sum.clone();
            double[] scatterDirect = scatter.clone();
            double[] sumDgemm = sum.clone();
            double[] scatterDgemm = scatter.clone();
            boolean before = PointKernels.useDirectScatter;
            try {
                PointKernels.useDirectScatter = true;
                PointKernels.addWeightedMoments(points, 4, n, shift, weights, 0, sumDirect, scatterDirect, false);
                PointKernels.useDirectScatter = false;
                PointKernels.addWeightedMoments(points, 4, n, shift, weights, 0, sumDgemm, scatterDgemm, false);
            } finally {
                PointKernels.useDirectScatter = before;
            }
            KernelTestValues.assertSameBits(sumDgemm, sumDirect, "trial " + trial + " sum");
            KernelTestValues.assertSameBits(scatterDgemm, scatterDirect, "trial " + trial + " scatter");
            for (double v : scatterDgemm) {
                negativeZeros += Double.doubleToRawLongBits(v) == Long.MIN_VALUE ? 1 : 0;
            }
        }
        assertTrue(negativeZeros > 0, "no -0.0 in dgemm's results: the sign of zero went untested");
    }

    /**
     * Dimensions below, at and past the SIMD width and its multiples, and the benchmarks' 59; point
     * counts from 1 up to past netlib's switch to its blocked path (D^2 m of 1,000,000), values as
     * above. Where dgemm runs its direct loops every number is dgemm's; past them the sums are, and
     * the scatter is the chains written out here (entry (r, c) the fma chain of y_r y_c over the
     * points in order from +0.0, then added to the old entry).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 8, 9, 12, 15, 16, 17, 24, 33, 59})
    void inLanesTheSameBitsAsTheGatherAndDgemm(int dim) {
        Random r = new Random(100 + dim);
        int negativeZeros = 0;
        int blocked = 0;
        for (int trial = 0; trial < 120; trial++) {
            // Every fifth trial a point or two of magnitude 1e-200 about a zero shift: their
            // products underflow, and a chain of negative ones ends at -0.0.
            boolean tiny = trial % 5 == 1;
            int n = 1 + r.nextInt(tiny ? 2 : trial % 12 == 0 ? 2_000_000 / (dim * dim) + 40 : 70);
            double[] points = new double[dim * n];
            for (int i = 0; i < points.length; i++) {
                points[i] = tiny ? 1e-200 * r.nextGaussian() : value(r);
            }
            double[] shift = new double[dim];
            for (int i = 0; i < dim; i++) {
                shift[i] = tiny ? 0.0 : r.nextInt(4) == 0 ? points[i] : value(r);
            }
            double[] weights = new double[n];
            for (int j = 0; j < n; j++) {
                int kind = r.nextInt(4);
                weights[j] = kind == 0 ? 0.0 : kind == 1 ? 1e-12 * (1 + r.nextDouble()) : Math.exp(-30 * r.nextDouble());
            }
            double[] sum = new double[dim];
            double[] scatter = new double[dim * dim];
            for (int i = 0; i < dim; i++) {
                sum[i] = r.nextInt(3) == 0 ? -0.0 : value(r);
            }
            for (int i = 0; i < dim * dim; i++) {
                scatter[i] = r.nextInt(3) == 0 ? -0.0 : value(r);
            }
            int[] selected = new int[n];
            double[] selectedWeights = new double[n];
            int m = 0;
            for (int j = 0; j < n; j++) {
                if (weights[j] > PointKernels.NEGLIGIBLE_WEIGHT) {
                    selected[m] = j;
                    selectedWeights[m++] = weights[j];
                }
            }
            if (m == 0) {
                continue;  // the callers return before the kernel: nothing to add
            }
            double[] sumLanes = sum.clone();
            double[] scatterLanes = scatter.clone();
            PointKernels.addSelectedMomentsByChains(points, dim, selected, selectedWeights, 0, m, shift, sumLanes,
                    scatterLanes);
            double[] sumDgemm = sum.clone();
            double[] scatterDgemm = scatter.clone();
            boolean before = PointKernels.useDirectScatter;
            try {
                PointKernels.useDirectScatter = false;
                PointKernels.addWeightedMoments(points, dim, n, shift, weights, 0, sumDgemm, scatterDgemm, false);
            } finally {
                PointKernels.useDirectScatter = before;
            }
            String what = "D=" + dim + " trial " + trial + " m=" + m;
            KernelTestValues.assertSameBits(sumDgemm, sumLanes, what + " sum");
            double[] expected = scatterDgemm;
            if ((long) dim * dim * m >= PointKernels.JAVA11_BLOCKED_DGEMM) {
                blocked++;
                expected = scatter.clone();
                addChains(points, dim, selected, selectedWeights, m, shift, expected);
            }
            KernelTestValues.assertSameBits(expected, scatterLanes, what + " scatter");
            for (double v : expected) {
                negativeZeros += Double.doubleToRawLongBits(v) == Long.MIN_VALUE ? 1 : 0;
            }
        }
        assertTrue(blocked > 0, "no product past dgemm's direct path");
        // At D = 1 every product is a square: no chain is negative.
        assertTrue(dim == 1 || negativeZeros > 0, "no -0.0 in the results: the sign of zero went untested");
    }

    /**
     * The chains in SIMD lanes against the same chains one at a time (the path of a JVM without the
     * Vector API), by raw bits, for every entry on and below the diagonal: dimensions around the
     * lane width and its multiples, point counts from 1 to 300, values as above with underflows.
     */
    @Test
    void theChainsInLanesAreTheScalarChains() {
        Random r = new Random(7);
        for (int dim : new int[] {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 33, 59}) {
            int padded = VectorKernels.padded(dim);
            for (int m : new int[] {1, 2, 3, 8, 17, 100, 300}) {
                double[] y = new double[padded * m];
                for (int q = 0; q < m; q++) {
                    for (int i = 0; i < dim; i++) {
                        y[q * padded + i] = m == 2 ? 1e-200 * r.nextGaussian() : value(r);
                    }
                }
                double[] lanes = new double[padded * dim];
                double[] scalar = new double[padded * dim];
                VectorKernels.lowerScatter(y, padded, dim, m, lanes);
                PointKernels.lowerScatterScalar(y, padded, dim, m, scalar);
                for (int c = 0; c < dim; c++) {
                    for (int row = c; row < dim; row++) {
                        int i = c * padded + row;
                        if (Double.doubleToRawLongBits(lanes[i]) != Double.doubleToRawLongBits(scalar[i])) {
                            throw new AssertionError("D=" + dim + " m=" + m + " entry (" + row + ", " + c + "): "
                                    + scalar[i] + " vs " + lanes[i]);
                        }
                    }
                }
            }
        }
    }

    /** The scatter's definition past dgemm's direct path, written out. */
    private static void addChains(double[] points, int dim, int[] selected, double[] weights, int m, double[] shift,
                                  double[] scatter) {
        double[] y = new double[m * dim];
        for (int q = 0; q < m; q++) {
            double sw = Math.sqrt(weights[q]);
            for (int i = 0; i < dim; i++) {
                y[q * dim + i] = sw * (points[selected[q] * dim + i] - shift[i]);
            }
        }
        for (int c = 0; c < dim; c++) {
            for (int r = 0; r < dim; r++) {
                double chain = 0.0;
                for (int q = 0; q < m; q++) {
                    chain = Math.fma(y[q * dim + r], y[q * dim + c], chain);
                }
                scatter[c * dim + r] = Math.fma(1.0, chain, scatter[c * dim + r]);
            }
        }
    }

    /** Mostly Gaussians scaled by e^(3 g); a few at 1e+-200, zeros of either sign. */
    private static double value(Random r) {
        int kind = r.nextInt(50);
        if (kind == 0) {
            return 0.0;
        } else if (kind == 1) {
            return -0.0;
        } else if (kind == 2) {
            return r.nextGaussian() * 1e-200;
        } else if (kind == 3) {
            return r.nextGaussian() * 1e200;
        }
        return r.nextGaussian() * Math.exp(3 * r.nextGaussian());
    }
}

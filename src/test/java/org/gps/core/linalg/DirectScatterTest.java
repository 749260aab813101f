package org.gps.core.linalg;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The E-step's own scatter of four-dimensional points ({@link PointKernels#addSelectedMoments4})
 * against the gather and dgemm call it replaces, compared by raw bits.
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
            assertSameBits(sumDgemm, sumDirect, "trial " + trial + " sum");
            assertSameBits(scatterDgemm, scatterDirect, "trial " + trial + " scatter");
            for (double v : scatterDgemm) {
                negativeZeros += Double.doubleToRawLongBits(v) == Long.MIN_VALUE ? 1 : 0;
            }
        }
        assertTrue(negativeZeros > 0, "no -0.0 in dgemm's results: the sign of zero went untested");
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

    private static void assertSameBits(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError(what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}

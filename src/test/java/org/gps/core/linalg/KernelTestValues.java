package org.gps.core.linalg;

import java.util.Random;

/**
 * Inputs for the kernel tests that compare results by raw bits: mostly Gaussians over many orders
 * of magnitude, with zeros of both signs and a few values so small or large that products underflow
 * or sums overflow.
 */
final class KernelTestValues {
    private KernelTestValues() {
    }

    /**
     * n values: of each {@code oneIn}, one +0.0, one -0.0, one Gaussian times {@code tiny}, one
     * times {@code huge}; the rest Gaussians times e^(spread g), g standard normal.
     */
    static double[] mixed(Random r, int n, int oneIn, double tiny, double huge, double spread) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            int kind = r.nextInt(oneIn);
            if (kind == 0) {
                v[i] = 0.0;
            } else if (kind == 1) {
                v[i] = -0.0;
            } else if (kind == 2) {
                v[i] = r.nextGaussian() * tiny;
            } else if (kind == 3) {
                v[i] = r.nextGaussian() * huge;
            } else {
                v[i] = r.nextGaussian() * Math.exp(spread * r.nextGaussian());
            }
        }
        return v;
    }

    /** Fails naming the first entry whose raw bits differ (a -0.0 for a 0.0, another NaN payload) and the two values. */
    static void assertSameBits(double[] expected, double[] actual, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Double.doubleToRawLongBits(expected[i]) != Double.doubleToRawLongBits(actual[i])) {
                throw new AssertionError(what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
            }
        }
    }
}

package org.gps.core.sample;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ExplorationNoiseTest {
    private static final double[] DRAWS = {0.5, -1.2, 0.3, 2.0, -0.7, 0.1, 1.1, -0.4, 0.9, -1.5, 0.2, 0.6};

    @Test
    void whiteNoiseIsTheStandardNormalDrawsInStepOrder() {
        double[][] eps = ExplorationNoise.WHITE.draw(new SplittableRandom(7), 5, 2);
        SplittableRandom same = new SplittableRandom(7);
        for (double[] step : eps) {
            for (double e : step) {
                assertEquals(Double.doubleToLongBits(same.nextGaussian()), Double.doubleToLongBits(e));
            }
        }
    }

    /**
     * Expected values: scipy.ndimage.gaussian_filter1d(x, sigma) (mode 'reflect', truncate 4)
     * divided by the square root of numpy's var of the result, the original implementation's
     * smoothing of its exploration noise. Tolerance: a few roundings of sums of 17-25 terms.
     */
    @Test
    void smoothingMatchesAGaussianFilterWithMirroredEndsRescaledToUnitVariance() {
        assertSmoothed(2.0, 0.4679762718975249, 1.1065679627365705, 2.0577228974569675, 2.817285371551237,
                3.0612979225487513, 2.8142517696896583, 2.216387979776348, 1.3832896099891423, 0.5822840881632337,
                0.22647886319419536, 0.4442408029185262, 0.819253810194204);
        assertSmoothed(0.7, 0.3094393330056413, -1.1562709978908583, 0.7778752689007467, 2.443033016912487,
                0.10691043171552604, 0.360734438398145, 1.323343146950105, 0.3951740646558452, 0.31533488579854924,
                -1.4625043949825705, -0.13176846933025224, 1.1519040096428061);
    }

    private static void assertSmoothed(double sigma, double... expected) {
        double[][] eps = new double[DRAWS.length][1];
        for (int t = 0; t < DRAWS.length; t++) {
            eps[t][0] = DRAWS[t];
        }
        new ExplorationNoise(sigma).smooth(eps);
        double[] got = new double[DRAWS.length];
        for (int t = 0; t < DRAWS.length; t++) {
            got[t] = eps[t][0];
        }
        assertArrayEquals(expected, got, 1e-13);
    }

    @Test
    void smoothedNoiseHasUnitVarianceAndTheFilteredAutocorrelationPerActionDimension() {
        int horizon = 20_000;
        double[][] eps = new ExplorationNoise(2.0).draw(new SplittableRandom(3), horizon, 2);
        for (int i = 0; i < 2; i++) {
            double mean = 0;
            for (double[] e : eps) {
                mean += e[i];
            }
            mean /= horizon;
            double variance = 0;
            double lag1 = 0;
            double lag4 = 0;
            for (int t = 0; t < horizon; t++) {
                variance += (eps[t][i] - mean) * (eps[t][i] - mean);
                if (t >= 1) {
                    lag1 += (eps[t][i] - mean) * (eps[t - 1][i] - mean);
                }
                if (t >= 4) {
                    lag4 += (eps[t][i] - mean) * (eps[t - 4][i] - mean);
                }
            }
            // Rescaled exactly: the population variance over the rollout is 1 to rounding.
            assertEquals(1.0, variance / horizon, 1e-12);
            // White noise through a Gaussian kernel of std s has autocorrelation exp(-k^2 / (4 s^2)) at
            // lag k: 0.939 at lag 1 and 0.368 at lag 4 for s = 2. Over 20,000 steps the estimates' standard
            // error is about sqrt(sum of squared autocorrelations / n) ~ 0.02; 0.06 is three of them.
            assertEquals(Math.exp(-1.0 / 16), lag1 / variance, 0.06);
            assertEquals(Math.exp(-1.0), lag4 / variance, 0.06);
        }
        // The dimensions are smoothed apart: their draws stay uncorrelated.
        double cross = 0;
        for (double[] e : eps) {
            cross += e[0] * e[1];
        }
        assertEquals(0.0, cross / horizon, 0.06);
    }

    @Test
    void mirroringRepeatsEachEndSample() {
        int[] expected = {2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0};
        for (int k = -3; k <= 7; k++) {
            assertEquals(expected[k + 3], ExplorationNoise.mirrored(k, 4), "index " + k);
        }
        // Beyond a whole period (a kernel wider than the rollout), mirrored again.
        assertEquals(0, ExplorationNoise.mirrored(-9, 4));
        assertEquals(1, ExplorationNoise.mirrored(9, 4));
    }

    @Test
    void aNegativeOrInfiniteSmoothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new ExplorationNoise(-1));
        assertThrows(IllegalArgumentException.class, () -> new ExplorationNoise(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ExplorationNoise(Double.POSITIVE_INFINITY));
    }
}

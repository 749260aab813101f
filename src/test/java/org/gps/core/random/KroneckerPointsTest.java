package org.gps.core.random;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KroneckerPointsTest {
    @Test
    void stepIsTheInversePowersOfTheRootOfXToTheDPlusOneEqualsXPlusOne() {
        // d = 1: the golden ratio's inverse; d = 2: the plastic number's, 1.324717957244746 (x^3 = x + 1).
        assertEquals((Math.sqrt(5) - 1) / 2, KroneckerPoints.step(1)[0], 1e-15);
        double plastic = 1.324717957244746;
        assertArrayEquals(new double[] {1 / plastic, 1 / (plastic * plastic)}, KroneckerPoints.step(2), 1e-15);
        for (int d = 1; d <= 6; d++) {
            double g = 1 / KroneckerPoints.step(d)[0];
            assertEquals(g + 1, Math.pow(g, d + 1), 1e-13, "d = " + d);
        }
    }

    @Test
    void pointIIsTheShiftPlusITimesTheStepModuloOneWithTheShiftDrawnFromTheGenerator() {
        double[][] p = KroneckerPoints.shifted(50, 2, new SplittableRandom(7));
        SplittableRandom same = new SplittableRandom(7);
        double s0 = same.nextDouble();
        double s1 = same.nextDouble();
        double[] a = KroneckerPoints.step(2);
        for (int i = 0; i < 50; i++) {
            double v0 = s0 + i * a[0];
            double v1 = s1 + i * a[1];
            assertArrayEquals(new double[] {v0 - Math.floor(v0), v1 - Math.floor(v1)}, p[i], 0.0, "point " + i);
            assertTrue(p[i][0] >= 0 && p[i][0] < 1 && p[i][1] >= 0 && p[i][1] < 1);
        }
    }

    /**
     * The reason to use them: the mean of a function over 100 points is much closer to its integral
     * than over 100 independent draws, which miss by sqrt(Var f / 100) on average (root mean square).
     * For f(u, v) = u v (integral 1/4; 0.022 for the draws) the shifted points miss by 0.0055 (root
     * mean square over shifts; bound: a third of the draws'). For a function periodic on the cube,
     * as a score is in the pendulum's angle, f(u, v) = cos^2(2 pi u) sin^2(2 pi v) (integral 1/4,
     * Var f = 5/64, 0.028 for the draws), even the worst of 200 shifts misses by 0.001 (bound: a
     * tenth of the draws').
     */
    @Test
    void aMeanOverTheShiftedPointsEstimatesAnIntegralFarBetterThanIndependentDraws() {
        SplittableRandom rng = new SplittableRandom(3);
        double squares = 0;
        double worstPeriodic = 0;
        for (int r = 0; r < 200; r++) {
            double product = 0;
            double periodic = 0;
            for (double[] p : KroneckerPoints.shifted(100, 2, rng)) {
                product += p[0] * p[1];
                double c = Math.cos(2 * Math.PI * p[0]);
                double s = Math.sin(2 * Math.PI * p[1]);
                periodic += c * c * s * s;
            }
            squares += Math.pow(product / 100 - 0.25, 2);
            worstPeriodic = Math.max(worstPeriodic, Math.abs(periodic / 100 - 0.25));
        }
        double rms = Math.sqrt(squares / 200);
        double iidProduct = Math.sqrt((1.0 / 9 - 1.0 / 16) / 100);
        double iidPeriodic = Math.sqrt(5.0 / 64 / 100);
        assertTrue(rms < iidProduct / 3, "root mean square error " + rms + " against independent draws' " + iidProduct);
        assertTrue(worstPeriodic < iidPeriodic / 10,
                "worst error " + worstPeriodic + " against independent draws' " + iidPeriodic);
    }

    /** Every tenth of each axis holds its share of 100 points, 10 give or take 1, whatever the shift. */
    @Test
    void everyTenthOfEachAxisHoldsTenPointsGiveOrTakeOne() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int r = 0; r < 50; r++) {
            int[][] counts = new int[2][10];
            for (double[] p : KroneckerPoints.shifted(100, 2, rng)) {
                counts[0][(int) (p[0] * 10)]++;
                counts[1][(int) (p[1] * 10)]++;
            }
            for (int[] axis : counts) {
                for (int c : axis) {
                    assertTrue(c >= 9 && c <= 11, "a tenth holds " + c + " points");
                }
            }
        }
    }

    @Test
    void noPointsForZeroAndNoDimensionBelowOne() {
        assertEquals(0, KroneckerPoints.shifted(0, 2, new SplittableRandom(1)).length);
        assertThrows(IllegalArgumentException.class, () -> KroneckerPoints.step(0));
        assertThrows(IllegalArgumentException.class, () -> KroneckerPoints.shifted(-1, 2, new SplittableRandom(1)));
    }
}

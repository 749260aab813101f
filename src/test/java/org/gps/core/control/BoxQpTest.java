package org.gps.core.control;

import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BoxQpTest {
    /**
     * Both sides solve the same strictly convex problem exactly up to rounding: a Cholesky solve of
     * at most 4x4 systems with condition numbers below ~1e3 (~1e-13); 1e-9 leaves room and still
     * tells apart a wrong active set, which moves the minimiser by the order of the box.
     */
    private static final double TOL = 1e-9;

    @Test
    void minimiserEqualsTheBestOfEveryActiveSet() {
        Random rnd = new Random(7);
        int clampedCases = 0;
        for (int trial = 0; trial < 400; trial++) {
            int n = 1 + trial % 4;
            Mat h = LqrProblems.spd(rnd, n, 0.1);
            double[] g = LqrProblems.gaussian(rnd, n, 3.0);
            double[] lo = new double[n];
            double[] hi = new double[n];
            for (int i = 0; i < n; i++) {
                lo[i] = -0.2 - rnd.nextDouble();
                hi[i] = 0.2 + rnd.nextDouble();
            }
            ActionBounds b = new ActionBounds(lo, hi);
            double[] start = LqrProblems.gaussian(rnd, n, 2.0);
            BoxQp.Solution sol = BoxQp.solve(h, g, b, start);
            double[] best = bruteForce(h, g, b);
            assertArrayEquals(best, sol.u(), TOL, "trial " + trial);
            if (sol.anyClamped()) {
                clampedCases++;
            }
        }
        // The trials must exercise the bounds, or the comparison says nothing about them.
        assertTrue(clampedCases > 100, clampedCases + " of 400 trials had a bound active");
    }

    @Test
    void interiorMinimiserIsTheUnconstrainedOneWithNothingHeld() {
        Mat h = Mat.of(new double[][]{{2, 0.5}, {0.5, 1}});
        double[] g = {0.1, -0.2};
        BoxQp.Solution sol = BoxQp.solve(h, g, ActionBounds.symmetric(2, 10), new double[]{5, 5});
        // u = -H^-1 g = -(1/1.75) [[1, -0.5], [-0.5, 2]] g
        assertArrayEquals(new double[]{-(0.1 + 0.1) / 1.75, -(-0.05 - 0.4) / 1.75}, sol.u(), 1e-12);
        assertFalse(sol.anyClamped());
    }

    @Test
    void heldDimensionIsTheOneWhoseGradientPointsOutOfTheBox() {
        // 0.5 u^2 - 3 u on [-1, 1]: the minimiser 3 lies outside, so u = 1 with gradient -2 < 0.
        BoxQp.Solution sol = BoxQp.solve(Mat.of(new double[][]{{1}}), new double[]{-3}, ActionBounds.symmetric(1, 1),
                new double[]{0});
        assertEquals(1.0, sol.u()[0], 0.0);
        assertTrue(sol.clamped()[0]);
    }

    /** Every assignment of each dimension to lower, upper or free; the best feasible stationary point. */
    static double[] bruteForce(Mat h, double[] g, ActionBounds b) {
        int n = g.length;
        double[] lo = b.lower();
        double[] hi = b.upper();
        double bestValue = Double.POSITIVE_INFINITY;
        double[] best = null;
        int combos = (int) Math.pow(3, n);
        for (int code = 0; code < combos; code++) {
            int[] state = new int[n];
            int c = code;
            for (int i = 0; i < n; i++) {
                state[i] = c % 3;
                c /= 3;
            }
            double[] u = new double[n];
            int free = 0;
            for (int i = 0; i < n; i++) {
                if (state[i] == 1) {
                    u[i] = lo[i];
                } else if (state[i] == 2) {
                    u[i] = hi[i];
                } else {
                    free++;
                }
            }
            if (free > 0) {
                int[] f = new int[free];
                int j = 0;
                for (int i = 0; i < n; i++) {
                    if (state[i] == 0) {
                        f[j++] = i;
                    }
                }
                // H_FF u_F = -(g_F + H_F,rest u_rest)
                double[][] a = new double[free][free];
                double[] r = new double[free];
                for (int p = 0; p < free; p++) {
                    r[p] = -g[f[p]];
                    for (int i = 0; i < n; i++) {
                        if (state[i] != 0) {
                            r[p] -= h.get(f[p], i) * u[i];
                        }
                    }
                    for (int q = 0; q < free; q++) {
                        a[p][q] = h.get(f[p], f[q]);
                    }
                }
                double[] uf = org.gps.core.linalg.Cholesky.of(Mat.of(a)).solve(r);
                boolean feasible = true;
                for (int p = 0; p < free; p++) {
                    u[f[p]] = uf[p];
                    feasible &= uf[p] >= lo[f[p]] && uf[p] <= hi[f[p]];
                }
                if (!feasible) {
                    continue;
                }
            }
            double v = BoxQp.value(h, g, u);
            if (v < bestValue) {
                bestValue = v;
                best = u;
            }
        }
        return best;
    }
}

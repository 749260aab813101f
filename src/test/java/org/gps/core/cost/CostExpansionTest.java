package org.gps.core.cost;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CostExpansionTest {
    private static final int T = 5;
    private static final int DX = 4;
    private static final int DU = 2;
    /**
     * Central differences with h = 1e-5 err by about h^2 |f'''| / 6 (< 1e-9 here: third
     * derivatives of these costs are at most ~1e2 with alpha >= 1e-2 and weights <= 2) plus
     * rounding eps |f| / h (~1e-10 for |f| ~ 10); 1e-6, relative to max(1, |value|), leaves a
     * wide margin while still catching any wrong factor or sign.
     */
    private static final double H = 1e-5;
    private static final double FD_TOL = 1e-6;

    static Stream<Arguments> stateCosts() {
        List<Arguments> out = new ArrayList<>();
        for (RampOption ramp : RampOption.values()) {
            out.add(Arguments.of("l2 " + ramp, ramp, 0.0, 1.0));
            out.add(Arguments.of("l1+l2 " + ramp, ramp, 0.7, 1.3));
            out.add(Arguments.of("l1 " + ramp, ramp, 1.0, 0.0));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateCosts")
    void stateCostDerivativesMatchCentralDifferences(String name, RampOption ramp, double l1, double l2) {
        Random rnd = new Random(11);
        StateCost cost = new StateCost(gaussian(rnd, DX), new double[]{1.0, 0.5, 2.0, 0.0}, ramp, 3.0, l1, l2, 1e-2);
        checkAgainstFiniteDifferences(cost, rnd);
    }

    @Test
    void actionCostAndSumDerivativesMatchCentralDifferences() {
        Random rnd = new Random(12);
        CostFunction sum = new CostSum(List.of(
                new StateCost(gaussian(rnd, DX), new double[]{1, 1, 0.3, 0.1}, RampOption.LINEAR, 2.0, 0.5, 1.0, 0.1),
                new ActionCost(new double[]{0.2, 1.5})), new double[]{2.0, 0.5});
        checkAgainstFiniteDifferences(sum, rnd);
        checkAgainstFiniteDifferences(new ActionCost(new double[]{0.3, 4.0}), rnd);
    }

    /**
     * The energy term's value and gradient against central differences; its Hessian is the
     * Gauss-Newton part g g^T, the exact Hessian (by differences) less r diag(quadratic), and so
     * positive semidefinite even where the energy is below its level and the exact one is not.
     */
    @Test
    void energyCostGradientMatchesCentralDifferencesAndItsHessianIsTheGaussNewtonPart() {
        Random rnd = new Random(13);
        double[] quadratic = {0.0, 0.0, 1.0, 0.5};
        EnergyCost energy = new EnergyCost(quadratic, new double[]{15.0, 0.0, 0.0, -2.0}, 15.0);
        double[][] x = trajectory(rnd, DX);
        double[][] u = trajectory(rnd, DU);
        CostExpansion e = energy.evaluate(x, u);
        boolean exactIndefinite = false;
        for (int t = 0; t < T; t++) {
            double r = energy.energy(x[t]) - 15.0;
            assertEquals(0.5 * r * r, e.cost(t), 1e-12 * Math.max(1, r * r), "value at t=" + t);
            double[][] gaussNewton = new double[DX][DX];
            for (int i = 0; i < DX; i++) {
                CostExpansion plus = energy.evaluate(shift(x, t, i, H), u);
                CostExpansion minus = energy.evaluate(shift(x, t, i, -H), u);
                assertEquals((plus.cost(t) - minus.cost(t)) / (2 * H), e.lx(t)[i],
                        FD_TOL * Math.max(1, Math.abs(e.lx(t)[i])), "lx[" + i + "] at t=" + t);
                for (int j = 0; j < DX; j++) {
                    // Differences of the gradient r g give the exact Hessian g g^T + r diag(quadratic).
                    double exact = (plus.lx(t)[j] - minus.lx(t)[j]) / (2 * H);
                    gaussNewton[j][i] = exact - (i == j ? r * quadratic[i] : 0.0);
                }
            }
            exactIndefinite |= r < 0;
            assertClose(Mat.of(gaussNewton), e.lxx(t), "lxx at t=" + t);
            assertTrue(Cholesky.tryOf(e.lxx(t).plus(Mat.eye(DX, 1e-9))) != null, "g g^T is PSD at t=" + t);
            for (int i = 0; i < DU; i++) {
                assertEquals(0.0, e.lu(t)[i], "an energy of the state has no action terms");
            }
        }
        assertTrue(exactIndefinite, "some steps below the level, where the exact Hessian is indefinite");
    }

    @Test
    void energyCostRefusesMismatchedOrNonFiniteCoefficients() {
        assertThrows(IllegalArgumentException.class, () -> new EnergyCost(new double[2], new double[3], 0));
        assertThrows(IllegalArgumentException.class,
                () -> new EnergyCost(new double[]{Double.NaN}, new double[1], 0));
        assertThrows(IllegalArgumentException.class, () -> new EnergyCost(new double[1], new double[1],
                Double.POSITIVE_INFINITY));
        EnergyCost c = new EnergyCost(new double[3], new double[3], 1);
        assertThrows(IllegalArgumentException.class, () -> c.evaluate(new double[2][4], new double[2][1]));
    }

    @Test
    void costSumIsWeightedSumOfItsTerms() {
        Random rnd = new Random(13);
        double[][] x = trajectory(rnd, DX);
        double[][] u = trajectory(rnd, DU);
        StateCost state = StateCost.of(gaussian(rnd, DX), new double[]{1, 2, 3, 4}).withNorms(0.5, 1.0, 1e-2);
        ActionCost action = new ActionCost(new double[]{0.1, 0.2});
        CostExpansion a = state.evaluate(x, u);
        CostExpansion b = action.evaluate(x, u);
        CostExpansion s = new CostSum(List.of(state, action), new double[]{2.0, 3.0}).evaluate(x, u);
        for (int t = 0; t < T; t++) {
            // Exact up to a couple of roundings of values of order 10.
            assertEquals(2 * a.cost(t) + 3 * b.cost(t), s.cost(t), 1e-12);
            assertArrayEquals(plus(2, a.lx(t), 3, b.lx(t)), s.lx(t), 1e-12);
            assertArrayEquals(plus(2, a.lu(t), 3, b.lu(t)), s.lu(t), 1e-12);
            assertEquals(0.0, a.lxx(t).scale(2).plus(b.lxx(t).scale(3)).maxAbsDiff(s.lxx(t)), 1e-12);
            assertEquals(0.0, a.luu(t).scale(2).plus(b.luu(t).scale(3)).maxAbsDiff(s.luu(t)), 1e-12);
        }
        double sum = 0;
        for (int t = 0; t < T; t++) {
            sum += s.cost(t);
        }
        assertEquals(sum, s.totalCost(), 1e-12);
    }

    @Test
    void rampMultipliersFollowTheirDefinitions() {
        // T = 4: (t+1)/T = 0.25, 0.5, 0.75, 1; the last also times the final multiplier 3.
        assertArrayEquals(new double[]{1, 1, 1, 3}, RampOption.CONSTANT.multipliers(4, 3), 0);
        assertArrayEquals(new double[]{0.25, 0.5, 0.75, 3}, RampOption.LINEAR.multipliers(4, 3), 0);
        assertArrayEquals(new double[]{0.0625, 0.25, 0.5625, 3}, RampOption.QUADRATIC.multipliers(4, 3), 0);
        assertArrayEquals(new double[]{0, 0, 0, 3}, RampOption.FINAL_ONLY.multipliers(4, 3), 0);
    }

    @Test
    void stateCostValueMatchesItsFormulaByHand() {
        // d = (1, -2), wp = (1, 0.5), l2 = 2, l1 = 3, alpha = 0.25:
        // 0.5*2*(1*1 + 0.5*4) = 3; (wp d) = (1, -1), sqrt(0.25 + 2) = 1.5, times 3 = 4.5; total 7.5.
        StateCost c = new StateCost(new double[]{0, 0}, new double[]{1, 0.5}, RampOption.CONSTANT, 1.0, 3.0, 2.0, 0.25);
        CostExpansion e = c.evaluate(new double[][]{{1, -2}}, new double[][]{{5}});
        assertEquals(7.5, e.cost(0), 1e-14);
    }

    @ParameterizedTest
    @EnumSource(RampOption.class)
    void recentredModelReproducesAQuadraticCostAtAnyPoint(RampOption ramp) {
        Random rnd = new Random(14);
        // l1 = 0: the cost is exactly quadratic in y, so every sample's expansion is the same
        // quadratic and the average equals it; only rounding separates model and cost.
        CostFunction cost = CostSum.of(new StateCost(gaussian(rnd, DX), new double[]{1, 0.5, 2, 0.1}, ramp, 4.0, 0,
                1.5, 1e-2), new ActionCost(new double[]{0.3, 2.0}));
        List<CostExpansion> samples = new ArrayList<>();
        for (int n = 0; n < 4; n++) {
            samples.add(cost.evaluate(trajectory(rnd, DX), trajectory(rnd, DU)));
        }
        QuadraticCostModel model = QuadraticCostModel.average(samples);
        double[][] x = trajectory(rnd, DX);
        double[][] u = trajectory(rnd, DU);
        CostExpansion truth = cost.evaluate(x, u);
        for (int t = 0; t < T; t++) {
            double[] y = org.gps.core.linalg.Vec.concat(x[t], u[t]);
            // Values of order 10 built from sums of a few dozen products: 1e-10 relative is
            // several thousand ulps, far below any modelling error.
            assertEquals(truth.cost(t), model.valueAt(t, y), 1e-10 * Math.max(1, Math.abs(truth.cost(t))));
        }
    }

    @Test
    void recentredModelOfOneSampleMatchesItsValueAndGradientThere() {
        Random rnd = new Random(15);
        CostFunction cost = new StateCost(gaussian(rnd, DX), new double[]{1, 1, 1, 1}, RampOption.CONSTANT, 1, 1.0, 1.0,
                1e-2);
        double[][] x = trajectory(rnd, DX);
        double[][] u = trajectory(rnd, DU);
        CostExpansion e = cost.evaluate(x, u);
        QuadraticCostModel model = QuadraticCostModel.average(List.of(e));
        for (int t = 0; t < T; t++) {
            double[] y = org.gps.core.linalg.Vec.concat(x[t], u[t]);
            assertEquals(e.cost(t), model.valueAt(t, y), 1e-10);
            double[] grad = org.gps.core.linalg.Vec.plus(model.linear(t), model.quadratic(t).times(y));
            assertArrayEquals(org.gps.core.linalg.Vec.concat(e.lx(t), e.lu(t)), grad, 1e-10);
        }
    }

    @Test
    void accumulatorMergeEqualsAddingEverythingToOne() {
        Random rnd = new Random(16);
        CostFunction cost = CostSum.of(StateCost.of(gaussian(rnd, DX), new double[]{1, 2, 1, 2}).withNorms(1, 1, 0.1),
                new ActionCost(new double[]{1, 1}));
        QuadraticCostAccumulator all = new QuadraticCostAccumulator(T, DX, DU);
        QuadraticCostAccumulator left = new QuadraticCostAccumulator(T, DX, DU);
        QuadraticCostAccumulator right = new QuadraticCostAccumulator(T, DX, DU);
        for (int n = 0; n < 6; n++) {
            CostExpansion e = cost.evaluate(trajectory(rnd, DX), trajectory(rnd, DU));
            all.add(e);
            (n % 2 == 0 ? left : right).add(e);
        }
        QuadraticCostModel a = all.result();
        QuadraticCostModel b = left.merge(right).result();
        assertEquals(6, all.count());
        for (int t = 0; t < T; t++) {
            // Same sums in a different order: rounding only.
            assertEquals(a.constant(t), b.constant(t), 1e-12);
            assertArrayEquals(a.linear(t), b.linear(t), 1e-12);
            assertTrue(a.quadratic(t).maxAbsDiff(b.quadratic(t)) < 1e-12);
        }
    }

    @Test
    void mismatchedSizesAreRefused() {
        StateCost c = StateCost.of(new double[3], new double[]{1, 1, 1});
        assertThrows(IllegalArgumentException.class, () -> c.evaluate(new double[2][4], new double[2][1]));
        assertThrows(IllegalArgumentException.class, () -> c.evaluate(new double[2][3], new double[3][1]));
        assertThrows(IllegalArgumentException.class,
                () -> c.evaluate(new double[][]{{0, Double.NaN, 0}}, new double[][]{{0}}));
    }

    // ---------------------------------------------------------------------------------------

    private static void checkAgainstFiniteDifferences(CostFunction cost, Random rnd) {
        double[][] x = trajectory(rnd, DX);
        double[][] u = trajectory(rnd, DU);
        CostExpansion e = cost.evaluate(x, u);
        for (int t = 0; t < T; t++) {
            double[] fdLx = new double[DX];
            double[][] fdLxx = new double[DX][DX];
            double[][] fdLux = new double[DU][DX];
            for (int i = 0; i < DX; i++) {
                CostExpansion plus = cost.evaluate(shift(x, t, i, H), u);
                CostExpansion minus = cost.evaluate(shift(x, t, i, -H), u);
                fdLx[i] = (plus.cost(t) - minus.cost(t)) / (2 * H);
                for (int j = 0; j < DX; j++) {
                    fdLxx[j][i] = (plus.lx(t)[j] - minus.lx(t)[j]) / (2 * H);
                }
                for (int j = 0; j < DU; j++) {
                    fdLux[j][i] = (plus.lu(t)[j] - minus.lu(t)[j]) / (2 * H);
                }
            }
            double[] fdLu = new double[DU];
            double[][] fdLuu = new double[DU][DU];
            for (int i = 0; i < DU; i++) {
                CostExpansion plus = cost.evaluate(x, shift(u, t, i, H));
                CostExpansion minus = cost.evaluate(x, shift(u, t, i, -H));
                fdLu[i] = (plus.cost(t) - minus.cost(t)) / (2 * H);
                for (int j = 0; j < DU; j++) {
                    fdLuu[j][i] = (plus.lu(t)[j] - minus.lu(t)[j]) / (2 * H);
                }
            }
            assertClose(fdLx, e.lx(t), "lx at t=" + t);
            assertClose(fdLu, e.lu(t), "lu at t=" + t);
            assertClose(Mat.of(fdLxx), e.lxx(t), "lxx at t=" + t);
            assertClose(Mat.of(fdLuu), e.luu(t), "luu at t=" + t);
            assertClose(Mat.of(fdLux), e.lux(t), "lux at t=" + t);
        }
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], FD_TOL * Math.max(1, Math.abs(expected[i])), what + "[" + i + "]");
        }
    }

    private static void assertClose(Mat expected, Mat actual, String what) {
        for (int i = 0; i < expected.rows(); i++) {
            for (int j = 0; j < expected.cols(); j++) {
                assertEquals(expected.get(i, j), actual.get(i, j), FD_TOL * Math.max(1, Math.abs(expected.get(i, j))),
                        what + "(" + i + "," + j + ")");
            }
        }
    }

    private static double[][] shift(double[][] a, int t, int i, double h) {
        double[][] b = new double[a.length][];
        for (int s = 0; s < a.length; s++) {
            b[s] = a[s].clone();
        }
        b[t][i] += h;
        return b;
    }

    static double[] gaussian(Random rnd, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian();
        }
        return v;
    }

    private static double[][] trajectory(Random rnd, int d) {
        double[][] a = new double[T][];
        for (int t = 0; t < T; t++) {
            a[t] = gaussian(rnd, d);
        }
        return a;
    }

    private static double[] plus(double a, double[] x, double b, double[] y) {
        double[] z = new double[x.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = a * x[i] + b * y[i];
        }
        return z;
    }
}

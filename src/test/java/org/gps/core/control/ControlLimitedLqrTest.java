package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backward pass within action limits, against a brute force: at each step the controller's
 * mean action at the nominal state must be the minimiser over the box of this step's cost plus the
 * cost of rolling the computed later controllers forward from where that action leads.
 */
class ControlLimitedLqrTest {
    private static final int T = 4;
    private static final int DX = 2;
    private static final int DU = 2;
    /**
     * The brute force reads the objective's quadratic off by exact differences of simulated costs
     * (rounding ~1e-13 of costs of order 10) and solves it by enumerating active sets; the pass
     * solves the same problem through the Riccati recursion. 1e-7 is far below the size of the box
     * (0.3), so a wrong active set or a wrong value update cannot pass.
     */
    private static final double TOL = 1e-7;
    /** Narrow in the first action, wider in the second, so that steps with one held and one free occur. */
    private static final ActionBounds BOX = new ActionBounds(new double[]{-0.3, -1.0}, new double[]{0.3, 1.0});

    @Test
    void meanActionAtTheNominalStateIsTheBoxMinimiserOfTheTrueCostToGo() {
        int clampedSteps = 0;
        int mixedSteps = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Problem p = Problem.of(seed);
            LinearGaussianController c = p.limited();
            for (int t = 0; t < T; t++) {
                double[] u = c.meanAction(t, p.nominal()[t]);
                for (int i = 0; i < DU; i++) {
                    assertTrue(Math.abs(u[i]) <= BOX.upper()[i] + 1e-12, "seed " + seed + " t=" + t + ": u=" + u[i]);
                }
                double[] expected = boxMinimiser(p.dyn(), p.cost(), c, t, p.nominal()[t], BOX);
                assertArrayEquals(expected, u, TOL, "seed " + seed + " t=" + t);
                int held = 0;
                for (int i = 0; i < DU; i++) {
                    if (atBound(u, i)) {
                        held++;
                        double[] row = c.gain(t).toRowArrays()[i];
                        assertArrayEquals(new double[DX], row, 0.0, "a held action has no feedback");
                    }
                }
                clampedSteps += held > 0 ? 1 : 0;
                mixedSteps += held == 1 ? 1 : 0;
            }
        }
        assertTrue(clampedSteps > 20 && mixedSteps > 5, clampedSteps + " steps with a bound, " + mixedSteps
                + " with one held and one free: the problems must exercise both");
    }

    @Test
    void freeActionsKeepTheirFeedbackNearTheNominalState() {
        // Away from the nominal state (but near enough that the same bounds hold), the free actions
        // must still minimise the cost-to-go: that checks the gains, not only the mean at xbar.
        int checked = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Problem p = Problem.of(seed);
            LinearGaussianController c = p.limited();
            for (int t = 0; t < T; t++) {
                double[] u0 = c.meanAction(t, p.nominal()[t]);
                int freeDim = -1;
                int heldDim = -1;
                for (int i = 0; i < DU; i++) {
                    if (atBound(u0, i)) {
                        heldDim = i;
                    } else {
                        freeDim = i;
                    }
                }
                if (freeDim < 0 || heldDim < 0) {
                    continue;
                }
                double[] x = p.nominal()[t].clone();
                x[0] += 1e-3;
                x[1] -= 1e-3;
                double[] expected = boxMinimiser(p.dyn(), p.cost(), c, t, x, BOX);
                if (!atBound(expected, heldDim) || Math.abs(Math.abs(expected[freeDim]) - BOX.upper()[freeDim]) < 1e-6) {
                    continue;
                }
                assertEquals(expected[freeDim], c.meanAction(t, x)[freeDim], TOL, "seed " + seed + " t=" + t);
                checked++;
            }
        }
        assertTrue(checked > 5, "only " + checked + " steps with one action held and one free");
    }

    @Test
    void boundsThatNeverBindLeaveTheControllerBitForBitUnchanged() {
        Problem p = Problem.of(3);
        LinearGaussianController free = plain(p.dyn(), p.cost(), null);
        LinearGaussianController wide = plain(p.dyn(), p.cost(),
                new LqrBackwardPass.Box(ActionBounds.symmetric(DU, 1e9), p.nominal()));
        for (int t = 0; t < T; t++) {
            assertArrayEquals(free.gain(t).toRowArrays()[0], wide.gain(t).toRowArrays()[0], 0.0);
            assertArrayEquals(free.gain(t).toRowArrays()[1], wide.gain(t).toRowArrays()[1], 0.0);
            assertArrayEquals(free.offset(t), wide.offset(t), 0.0);
        }
    }

    @Test
    void dualSearchWithinLimitsKeepsTheReferenceTrajectoryActionsInsideAndMeetsTheKlTarget() {
        Random rnd = new Random(11);
        int horizon = 8;
        LinearGaussianDynamics dyn = LqrProblems.stableDynamics(rnd, horizon, DX, DU, 1e-2);
        QuadraticCostModel cost = LqrProblems.quadraticCost(rnd, horizon, DX, DU);
        LinearGaussianController reference = LqrProblems.randomController(rnd, horizon, DX, DU, 0.5);
        ActionBounds bounds = ActionBounds.symmetric(DU, 0.2);
        TrajectoryModel model = new TrajectoryModel(dyn, LqrProblems.x0(rnd, DX), cost, bounds);
        TrajOptResult r = TrajectoryOptimizer.optimize(model, reference, 1.0, 1.0,
                TrajOptOptions.defaults().withKlStep(0.5));
        assertTrue(r.converged(), "the dual search must still meet the KL target: " + r.kl() + " / " + r.klTarget());
        StateActionMarginals m = StateActionMarginals.forward(model, reference);
        for (int t = 0; t < horizon; t++) {
            double[] u = r.controller().meanAction(t, java.util.Arrays.copyOf(m.mean(t), DX));
            for (double v : u) {
                assertTrue(Math.abs(v) <= 0.2 + 1e-12, "t=" + t + ": mean action " + v + " outside [-0.2, 0.2]");
            }
        }
    }

    @Test
    void referenceIsMeasuredAsThePlantAppliedIt() {
        // At x = [1, 0] the mean action is [1.5, 0.1]: the first beyond its limit 0.3, the second inside [-1, 1].
        Mat[] k = {Mat.of(new double[][]{{1, 0}, {0, 2}})};
        double[][] o = {{0.5, 0.1}};
        Mat[] s = {Mat.eye(2, 0.5)};
        LinearGaussianController ref = LinearGaussianController.of(k, o, s);
        LqrBackwardPass.Box box = new LqrBackwardPass.Box(BOX, new double[][]{{1, 0}});
        LinearGaussianController applied = TrajectoryOptimizer.applied(ref, box);
        assertArrayEquals(new double[]{0, 0}, applied.gain(0).toRowArrays()[0], 0.0);
        assertArrayEquals(new double[]{0, 2}, applied.gain(0).toRowArrays()[1], 0.0);
        assertArrayEquals(new double[]{0.3, 0.1}, applied.offset(0), 0.0);
        assertArrayEquals(ref.covariance(0).toRowArrays()[0], applied.covariance(0).toRowArrays()[0], 0.0);
    }

    /** A random stable system, cost and nominal states far enough out that the box binds at many steps. */
    private record Problem(LinearGaussianDynamics dyn, QuadraticCostModel cost, double[][] nominal) {
        static Problem of(long seed) {
            Random rnd = new Random(seed);
            LinearGaussianDynamics dyn = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-2);
            QuadraticCostModel cost = LqrProblems.quadraticCost(rnd, T, DX, DU);
            double[][] nominal = new double[T][];
            for (int t = 0; t < T; t++) {
                nominal[t] = LqrProblems.gaussian(rnd, DX, 2.0);
            }
            return new Problem(dyn, cost, nominal);
        }

        /** The backward pass within {@link #BOX} enforced at these nominal states. */
        LinearGaussianController limited() {
            return plain(dyn, cost, new LqrBackwardPass.Box(BOX, nominal));
        }
    }

    private static boolean atBound(double[] u, int i) {
        return Math.abs(Math.abs(u[i]) - BOX.upper()[i]) < 1e-12;
    }

    private static LinearGaussianController plain(LinearGaussianDynamics dyn, QuadraticCostModel cost,
                                                  LqrBackwardPass.Box box) {
        Mat[] cm = new Mat[T];
        double[][] cv = new double[T][];
        for (int t = 0; t < T; t++) {
            cm[t] = cost.quadratic(t);
            cv[t] = cost.linear(t);
        }
        return LqrBackwardPass.plain(dyn, DX, DU, cm, cv, box);
    }

    /** The box minimiser over u of J(u) = c_t(x, u) + the cost of the later controllers from x_{t+1}(x, u). */
    private static double[] boxMinimiser(LinearGaussianDynamics dyn, QuadraticCostModel cost,
                                         LinearGaussianController later, int t, double[] x, ActionBounds bounds) {
        double j0 = rollout(dyn, cost, later, t, x, new double[DU]);
        double[] g = new double[DU];
        double[][] h = new double[DU][DU];
        double[] jp = new double[DU];
        double[] jm = new double[DU];
        for (int i = 0; i < DU; i++) {
            double[] e = new double[DU];
            e[i] = 1;
            jp[i] = rollout(dyn, cost, later, t, x, e);
            e[i] = -1;
            jm[i] = rollout(dyn, cost, later, t, x, e);
            g[i] = (jp[i] - jm[i]) / 2;
            h[i][i] = jp[i] + jm[i] - 2 * j0;
        }
        for (int i = 0; i < DU; i++) {
            for (int k = i + 1; k < DU; k++) {
                double[] e = new double[DU];
                e[i] = 1;
                e[k] = 1;
                h[i][k] = rollout(dyn, cost, later, t, x, e) - jp[i] - jp[k] + j0;
                h[k][i] = h[i][k];
            }
        }
        return BoxQpTest.bruteForce(Mat.of(h), g, bounds);
    }

    /** c_t(x, u) plus the mean-path cost of the later steps under {@code later}. */
    private static double rollout(LinearGaussianDynamics dyn, QuadraticCostModel cost, LinearGaussianController later,
                                  int t, double[] x, double[] u) {
        double total = cost.valueAt(t, org.gps.core.linalg.Vec.concat(x, u));
        double[] xs = x;
        double[] us = u;
        for (int s = t + 1; s < T; s++) {
            xs = dyn.predict(s - 1, xs, us);
            us = later.meanAction(s, xs);
            total += cost.valueAt(s, org.gps.core.linalg.Vec.concat(xs, us));
        }
        return total;
    }
}

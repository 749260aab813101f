package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LqrBackwardPassTest {
    private static final int T = 6;
    private static final int DX = 3;
    private static final int DU = 2;
    /**
     * The pass and the reference recursion below differ only by rounding (double precision, six
     * steps of 5x5 algebra: ~1e-14) and by the KL term, which is 1e-12 relative to the cost in
     * both variants; 1e-8 relative is the brief's tolerance and has ample room.
     */
    private static final double REL_TOL = 1e-8;

    @Test
    void gainsEqualTheRiccatiSolutionWhenEtaIsTiny() {
        Random rnd = new Random(21);
        LinearGaussianDynamics dyn = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-2);
        QuadraticCostModel cost = randomCost(rnd);
        // A reference of unit-order precision: with eta = 1e-12 the surrogate is Cm/eta + PKL, so
        // PKL perturbs the cost by 1e-12 relative.
        LinearGaussianController ref = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        double eta = 1e-12;
        LqrSolution sol = LqrBackwardPass.solve(dyn, cost, ref, eta, TrajOptOptions.defaults());
        assertEquals(eta, sol.eta(), 0.0, "a PD problem must not raise eta");
        Riccati expected = riccati(dyn, cost);
        for (int t = 0; t < T; t++) {
            assertRelClose(expected.gains[t], sol.controller().gain(t).toRowArrays(), "K_" + t);
            assertRelClose(new double[][]{expected.offsets[t]}, new double[][]{sol.controller().offset(t)}, "k_" + t);
            // The surrogate is the cost divided by eta, so S_t = eta Quu^{-1}.
            assertRelClose(expected.covariances[t], sol.controller().covariance(t).scale(1 / eta).toRowArrays(),
                    "S_" + t);
        }
    }

    @Test
    void gainsEqualTheRiccatiSolutionWhenTheReferenceIsVeryBroad() {
        Random rnd = new Random(22);
        LinearGaussianDynamics dyn = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-2);
        QuadraticCostModel cost = randomCost(rnd);
        // Covariance 1e12 I: P = 1e-12 I, so with eta = 1 the KL term is again 1e-12 of the cost.
        Mat[] k = new Mat[T];
        double[][] o = new double[T][];
        Mat[] s = new Mat[T];
        for (int t = 0; t < T; t++) {
            k[t] = LqrProblems.gaussian(rnd, DU, DX, 1.0);
            o[t] = LqrProblems.gaussian(rnd, DU, 1.0);
            s[t] = Mat.eye(DU, 1e12);
        }
        LqrSolution sol = LqrBackwardPass.solve(dyn, cost, LinearGaussianController.of(k, o, s), 1.0,
                TrajOptOptions.defaults());
        Riccati expected = riccati(dyn, cost);
        for (int t = 0; t < T; t++) {
            assertRelClose(expected.gains[t], sol.controller().gain(t).toRowArrays(), "K_" + t);
            assertRelClose(new double[][]{expected.offsets[t]}, new double[][]{sol.controller().offset(t)}, "k_" + t);
            assertRelClose(expected.covariances[t], sol.controller().covariance(t).toRowArrays(), "S_" + t);
        }
    }

    @Test
    void nonPositiveDefiniteActionBlockRaisesEtaByDoublingIncrements() {
        // dX = dU = 1, x' = 0.9 x + 0.1 u, cost 0.5 x^2 - 0.25 u^2 (negative action weight),
        // reference N(0, 1) so P = 1. Qtt_uu = -0.5/eta + 1 + 0.01 Vxx' is PD only for eta above
        // about 0.5, so from eta0 = 0.1 the pass must retry at 0.1 + 1e-4 * 2^j until it works.
        TrajOptOptions o = TrajOptOptions.defaults();
        NegativeActionProblem p = NegativeActionProblem.build(3, -0.5);
        double eta0 = 0.1;
        LqrSolution sol = LqrBackwardPass.solve(p.dynamics, p.cost, p.reference, eta0, o);
        double ratio = (sol.eta() - eta0) / o.del0();
        long j = Math.round(Math.log(ratio) / Math.log(2));
        // eta0 + del0 2^j reproduces exactly in binary up to rounding of the additions.
        assertEquals(Math.pow(2, j), ratio, 1e-6 * ratio, "eta - eta0 must be del0 times a power of two");
        assertTrue(sol.eta() > 0.45 && sol.eta() < 1.0, "eta " + sol.eta());
        // The previous candidate was not PD: asking for it directly makes the pass raise it again.
        double previous = eta0 + o.del0() * Math.pow(2, j - 1);
        assertTrue(LqrBackwardPass.solve(p.dynamics, p.cost, p.reference, previous, o).eta() > previous);
        for (int t = 0; t < 3; t++) {
            assertTrue(sol.controller().gain(t).isFinite() && sol.controller().covariance(t).get(0, 0) > 0);
        }
    }

    @Test
    void hopelessProblemFailsWithAClearError() {
        NegativeActionProblem p = NegativeActionProblem.build(3, -1e30);
        LqrFailedException e = assertThrows(LqrFailedException.class,
                () -> LqrBackwardPass.solve(p.dynamics, p.cost, p.reference, 1.0, TrajOptOptions.defaults()));
        assertTrue(e.getMessage().contains("well conditioned"), e.getMessage());
    }

    @Test
    void nanDynamicsAreNamedInTheError() {
        NegativeActionProblem p = NegativeActionProblem.build(3, 1.0);
        LinearGaussianDynamics nan = LinearGaussianDynamics.of(
                new Mat[]{Mat.of(new double[][]{{Double.NaN, 0.1}}), Mat.of(new double[][]{{0.9, 0.1}})},
                new double[][]{{0}, {0}}, new Mat[]{Mat.eye(1, 0.01), Mat.eye(1, 0.01)});
        LqrFailedException e = assertThrows(LqrFailedException.class,
                () -> LqrBackwardPass.solve(nan, p.cost, p.reference, 1.0, TrajOptOptions.defaults()));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }

    @Test
    void perStepPassWithEqualEtasAndUnitReferencePrecisionMatchesTheScalarCostPlusKlOnTheLastStep() {
        // At the last step there is no future, so the per-step controller minimises
        // E[Q]/eta + KL(p || pb): the same quadratic as the scalar surrogate Cm/eta + PKL.
        Random rnd = new Random(23);
        LinearGaussianDynamics dyn = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-2);
        QuadraticCostModel cost = randomCost(rnd);
        LinearGaussianController ref = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        double[] etas = {2, 2, 2, 2, 2, 2};
        LqrSolution perStep = LqrBackwardPass.solvePerStep(dyn, cost, ref, etas, TrajOptOptions.defaults());
        LqrSolution scalar = LqrBackwardPass.solve(dyn, cost, ref, 2.0, TrajOptOptions.defaults());
        // Same closed form through two code paths: rounding only.
        assertTrue(perStep.controller().gain(T - 1).maxAbsDiff(scalar.controller().gain(T - 1)) < 1e-10);
        assertTrue(perStep.controller().covariance(T - 1).maxAbsDiff(scalar.controller().covariance(T - 1)) < 1e-10);
    }

    // ---------------------------------------------------------------------------------------

    /** A random cost with Cm SPD (eigenvalues >= 0.1) and random cv, cc. */
    static QuadraticCostModel randomCost(Random rnd) {
        double[] cc = new double[T];
        double[][] cv = new double[T][];
        Mat[] cm = new Mat[T];
        for (int t = 0; t < T; t++) {
            cc[t] = rnd.nextGaussian();
            cv[t] = LqrProblems.gaussian(rnd, DX + DU, 1.0);
            cm[t] = LqrProblems.spd(rnd, DX + DU, 0.1);
        }
        return QuadraticCostModel.of(DX, cc, cv, cm);
    }

    /**
     * The textbook finite-horizon Riccati recursion for x' = A x + B u + c and cost
     * 0.5 [x;u]^T C [x;u] + q^T [x;u], written with plain arrays and its own elimination so that
     * it shares no code with the pass under test; V is updated in the full form
     * Qxx + Qxu K + K^T Qux + K^T Quu K rather than the pass's simplified Qxx + Qxu K.
     */
    private static Riccati riccati(LinearGaussianDynamics dyn, QuadraticCostModel cost) {
        int n = DX + DU;
        Riccati r = new Riccati();
        double[][] vxx = new double[DX][DX];
        double[] vx = new double[DX];
        for (int t = T - 1; t >= 0; t--) {
            double[][] q = cost.quadratic(t).toRowArrays();
            double[] qv = cost.linear(t);
            if (t < T - 1) {
                double[][] f = dyn.transition(t).toRowArrays();
                double[] c = dyn.offset(t);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int a = 0; a < DX; a++) {
                            for (int b = 0; b < DX; b++) {
                                s += f[a][i] * vxx[a][b] * f[b][j];
                            }
                        }
                        q[i][j] += s;
                    }
                    double s = 0;
                    for (int a = 0; a < DX; a++) {
                        double w = vx[a];
                        for (int b = 0; b < DX; b++) {
                            w += vxx[a][b] * c[b];
                        }
                        s += f[a][i] * w;
                    }
                    qv[i] += s;
                }
            }
            double[][] quu = new double[DU][DU];
            double[][] rhs = new double[DU][DX + 1 + DU];
            for (int i = 0; i < DU; i++) {
                for (int j = 0; j < DU; j++) {
                    quu[i][j] = q[DX + i][DX + j];
                    rhs[i][DX + 1 + j] = i == j ? 1 : 0;
                }
                for (int j = 0; j < DX; j++) {
                    rhs[i][j] = q[DX + i][j];
                }
                rhs[i][DX] = qv[DX + i];
            }
            double[][] sol = gaussSolve(quu, rhs);
            double[][] gain = new double[DU][DX];
            double[] off = new double[DU];
            double[][] cov = new double[DU][DU];
            for (int i = 0; i < DU; i++) {
                for (int j = 0; j < DX; j++) {
                    gain[i][j] = -sol[i][j];
                }
                off[i] = -sol[i][DX];
                for (int j = 0; j < DU; j++) {
                    cov[i][j] = sol[i][DX + 1 + j];
                }
            }
            r.gains[t] = gain;
            r.offsets[t] = off;
            r.covariances[t] = cov;
            double[][] nv = new double[DX][DX];
            double[] nx = new double[DX];
            for (int i = 0; i < DX; i++) {
                for (int j = 0; j < DX; j++) {
                    double s = q[i][j];
                    for (int a = 0; a < DU; a++) {
                        s += q[i][DX + a] * gain[a][j] + gain[a][i] * q[DX + a][j];
                        for (int b = 0; b < DU; b++) {
                            s += gain[a][i] * q[DX + a][DX + b] * gain[b][j];
                        }
                    }
                    nv[i][j] = s;
                }
                double s = qv[i];
                for (int a = 0; a < DU; a++) {
                    s += q[i][DX + a] * off[a] + gain[a][i] * qv[DX + a];
                    for (int b = 0; b < DU; b++) {
                        s += gain[a][i] * q[DX + a][DX + b] * off[b];
                    }
                }
                nx[i] = s;
            }
            vxx = nv;
            vx = nx;
        }
        return r;
    }

    /** Gauss-Jordan with partial pivoting: returns A^{-1} B. */
    private static double[][] gaussSolve(double[][] a0, double[][] b0) {
        int n = a0.length;
        int m = b0[0].length;
        double[][] a = new double[n][];
        double[][] b = new double[n][];
        for (int i = 0; i < n; i++) {
            a[i] = a0[i].clone();
            b[i] = b0[i].clone();
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int i = c + 1; i < n; i++) {
                if (Math.abs(a[i][c]) > Math.abs(a[p][c])) {
                    p = i;
                }
            }
            double[] tmp = a[c];
            a[c] = a[p];
            a[p] = tmp;
            tmp = b[c];
            b[c] = b[p];
            b[p] = tmp;
            for (int i = 0; i < n; i++) {
                if (i == c) {
                    continue;
                }
                double factor = a[i][c] / a[c][c];
                for (int j = 0; j < n; j++) {
                    a[i][j] -= factor * a[c][j];
                }
                for (int j = 0; j < m; j++) {
                    b[i][j] -= factor * b[c][j];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                b[i][j] /= a[i][i];
            }
        }
        return b;
    }

    private static void assertRelClose(double[][] expected, double[][] actual, String what) {
        double scale = 0;
        for (double[] row : expected) {
            for (double v : row) {
                scale = Math.max(scale, Math.abs(v));
            }
        }
        for (int i = 0; i < expected.length; i++) {
            for (int j = 0; j < expected[i].length; j++) {
                assertEquals(expected[i][j], actual[i][j], REL_TOL * scale, what + "(" + i + "," + j + ")");
            }
        }
    }

    private static final class Riccati {
        final double[][][] gains = new double[T][][];
        final double[][] offsets = new double[T][];
        final double[][][] covariances = new double[T][][];
    }

    /** dX = dU = 1: x' = 0.9 x + 0.1 u, cost 0.5 x^2 + 0.5 actionWeight u^2, reference N(0, 1). */
    static final class NegativeActionProblem {
        LinearGaussianDynamics dynamics;
        QuadraticCostModel cost;
        LinearGaussianController reference;
        org.gps.core.dynamics.InitialStateDistribution x0;

        static NegativeActionProblem build(int horizon, double actionWeight) {
            NegativeActionProblem p = new NegativeActionProblem();
            Mat[] f = new Mat[horizon - 1];
            double[][] c = new double[horizon - 1][];
            Mat[] q = new Mat[horizon - 1];
            for (int t = 0; t < horizon - 1; t++) {
                f[t] = Mat.of(new double[][]{{0.9, 0.1}});
                c[t] = new double[]{0};
                q[t] = Mat.eye(1, 0.01);
            }
            p.dynamics = LinearGaussianDynamics.of(f, c, q);
            double[] cc = new double[horizon];
            double[][] cv = new double[horizon][];
            Mat[] cm = new Mat[horizon];
            Mat[] k = new Mat[horizon];
            double[][] o = new double[horizon][];
            Mat[] s = new Mat[horizon];
            for (int t = 0; t < horizon; t++) {
                cv[t] = new double[]{-0.5, 0.2};
                cm[t] = Mat.diag(new double[]{1.0, actionWeight});
                k[t] = Mat.zeros(1, 1);
                o[t] = new double[]{0};
                s[t] = Mat.eye(1);
            }
            p.cost = QuadraticCostModel.of(1, cc, cv, cm);
            p.reference = LinearGaussianController.of(k, o, s);
            p.x0 = new org.gps.core.dynamics.InitialStateDistribution(new double[]{1.0}, Mat.eye(1, 0.01));
            return p;
        }
    }
}

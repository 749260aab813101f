package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.gps.core.control.PilqrOptions.ReplayStart.MODEL_MEAN;
import static org.gps.core.control.PilqrOptions.ReplayStart.SAMPLE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelReplayTest {
    private static final int T = 20;
    private static final int DX = 4;
    private static final int DU = 2;
    private static final int N = 6;

    /**
     * Samples simulated here through the very dynamics the replay is given, costed by the very
     * quadratic, from x0 = x0mu, differ from the replay only in the order of floating-point sums (at
     * most 36 products per cost, a stable state recursion over 20 steps), a few 1e-16 relative to
     * the magnitudes summed (measured: 4e-16 (1 + |c|), costs up to about 30). The bound 1e-12 (1 +
     * |c|) is thousands of times that and still far below any modelling error: in the next test,
     * starts about 0.1 away from x0mu leave residuals up to about 0.8.
     */
    @Test
    void samplesOfTheModelItselfLeaveNoResidual() {
        Random rnd = new Random(3);
        Setup s = new Setup(rnd);
        double[][][] eps = noise(rnd);
        double[][] x0s = new double[N][];
        double[][] c = new double[N][];
        for (int i = 0; i < N; i++) {
            x0s[i] = s.x0.mean();
            c[i] = simulateCosts(s, x0s[i], eps[i]);
        }
        double[][] ch = ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0, s.cost, eps, null, MODEL_MEAN);
        double[][] r = ModelReplay.residual(c, ch);
        double worst = 0;
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T; t++) {
                assertTrue(Math.abs(r[i][t]) <= 1e-12 * (1 + Math.abs(c[i][t])),
                        "r[" + i + "][" + t + "] = " + r[i][t]);
                worst = Math.max(worst, Math.abs(c[i][t]));
            }
        }
        assertTrue(worst > 1, "the costs must not be trivially small, largest " + worst);
    }

    @Test
    void eachSampleReplayedFromItsOwnStartLeavesNoResidualWhereTheModelMeanStartDoesNot() {
        Random rnd = new Random(4);
        Setup s = new Setup(rnd);
        double[][][] eps = noise(rnd);
        double[][] x0s = new double[N][];
        double[][] c = new double[N][];
        for (int i = 0; i < N; i++) {
            x0s[i] = LqrProblems.gaussian(rnd, DX, 0.1);
            for (int j = 0; j < DX; j++) {
                x0s[i][j] += s.x0.mean()[j];
            }
            c[i] = simulateCosts(s, x0s[i], eps[i]);
        }
        double[][] own = ModelReplay.residual(c,
                ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0, s.cost, eps, x0s, SAMPLE));
        double[][] fromMean = ModelReplay.residual(c,
                ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0, s.cost, eps, x0s, MODEL_MEAN));
        double largest = 0;
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T; t++) {
                // Same round-off bound as above.
                assertTrue(Math.abs(own[i][t]) <= 1e-12 * (1 + Math.abs(c[i][t])), "r[" + i + "][" + t + "]");
                largest = Math.max(largest, Math.abs(fromMean[i][t]));
            }
        }
        // Starts 0.1 away from x0mu: the residual of the mean start is the spread of the starts.
        assertTrue(largest > 0.1, "largest residual from the mean start " + largest);
    }

    /**
     * With eps = 0 the replay is the mean of the forward pass: the same recursion mu_{t+1} = F_t mu_t +
     * f_t, u = K mu + k, evaluated in the same order, so 1e-10 is loose.
     */
    @Test
    void zeroNoiseReplaysTheMeanOfTheForwardPass() {
        Random rnd = new Random(5);
        Setup s = new Setup(rnd);
        StateActionMarginals m = StateActionMarginals.forward(s.dynamics, s.x0, s.controller);
        double[][] y = ModelReplay.trajectory(s.controller, s.dynamics, s.x0.mean(), new double[T][DU]);
        double[][] ch = ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0, s.cost, new double[1][T][DU],
                null, MODEL_MEAN);
        for (int t = 0; t < T; t++) {
            assertArrayEquals(m.mean(t), y[t], 1e-10, "t " + t);
            assertEquals(s.cost.valueAt(t, m.mean(t)), ch[0][t], 1e-10 * (1 + Math.abs(ch[0][t])), "t " + t);
        }
    }

    @Test
    void residualIsSampledMinusPredicted() {
        double[][] r = ModelReplay.residual(new double[][]{{3, 1}, {0, -2}}, new double[][]{{1, 1.5}, {-1, -2}});
        assertArrayEquals(new double[]{2, -0.5}, r[0]);
        assertArrayEquals(new double[]{1, 0}, r[1]);
        assertThrows(IllegalArgumentException.class,
                () -> ModelReplay.residual(new double[][]{{1, 2}}, new double[][]{{1}}));
    }

    @Test
    void shapesAreChecked() {
        Setup s = new Setup(new Random(6));
        assertThrows(IllegalArgumentException.class, () -> ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0,
                s.cost, new double[2][T - 1][DU], null, MODEL_MEAN));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelReplay.predictedCosts(
                s.controller, s.dynamics, s.x0, s.cost, new double[2][T][DU + 1], null, MODEL_MEAN));
        assertEquals("noise of sample 0 at step 0 has 3 values, expected 2", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0,
                s.cost, new double[2][T][DU], null, SAMPLE));
        assertThrows(IllegalArgumentException.class, () -> ModelReplay.predictedCosts(s.controller, s.dynamics, s.x0,
                s.cost, new double[2][T][DU], new double[2][DX + 1], SAMPLE));
    }

    /** A sample of the model itself: u = K x + k + L eps, x' = F [x; u] + f, costed by the quadratic; loops only. */
    private static double[] simulateCosts(Setup s, double[] start, double[][] eps) {
        double[] x = start.clone();
        double[] c = new double[T];
        for (int t = 0; t < T; t++) {
            double[][] k = s.controller.gain(t).toRowArrays();
            double[][] l = s.controller.choleskyFactor(t).toRowArrays();
            double[] o = s.controller.offset(t);
            double[] y = new double[DX + DU];
            System.arraycopy(x, 0, y, 0, DX);
            for (int a = 0; a < DU; a++) {
                double u = o[a];
                for (int j = 0; j < DX; j++) {
                    u += k[a][j] * x[j];
                }
                for (int j = 0; j < DU; j++) {
                    u += l[a][j] * eps[t][j];
                }
                y[DX + a] = u;
            }
            double[][] cm = s.cost.quadratic(t).toRowArrays();
            double[] cv = s.cost.linear(t);
            double value = s.cost.constant(t);
            for (int a = 0; a < y.length; a++) {
                value += cv[a] * y[a];
                for (int b = 0; b < y.length; b++) {
                    value += 0.5 * y[a] * cm[a][b] * y[b];
                }
            }
            c[t] = value;
            if (t < T - 1) {
                double[][] f = s.dynamics.transition(t).toRowArrays();
                double[] next = s.dynamics.offset(t);
                for (int i = 0; i < DX; i++) {
                    for (int j = 0; j < y.length; j++) {
                        next[i] += f[i][j] * y[j];
                    }
                }
                x = next;
            }
        }
        return c;
    }

    private static double[][][] noise(Random rnd) {
        double[][][] eps = new double[N][T][];
        for (int i = 0; i < N; i++) {
            for (int t = 0; t < T; t++) {
                eps[i][t] = LqrProblems.gaussian(rnd, DU, 1.0);
            }
        }
        return eps;
    }

    /** Linear dynamics (their noise covariance is not replayed), a quadratic cost and a random controller. */
    private static final class Setup {
        final LinearGaussianDynamics dynamics;
        final InitialStateDistribution x0;
        final QuadraticCostModel cost;
        final LinearGaussianController controller;

        Setup(Random rnd) {
            dynamics = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-3);
            x0 = new InitialStateDistribution(LqrProblems.gaussian(rnd, DX, 1.0), Mat.eye(DX, 1e-6));
            cost = LqrProblems.quadraticCost(rnd, T, DX, DU);
            controller = LqrProblems.randomController(rnd, T, DX, DU, 0.3);
        }
    }
}

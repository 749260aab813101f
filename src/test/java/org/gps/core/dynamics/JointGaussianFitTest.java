package org.gps.core.dynamics;

import org.gps.core.BadInputException;
import org.gps.core.gmm.GmmEm;
import org.gps.core.gmm.GmmOptions;
import org.gps.core.gmm.PointBlock;
import org.gps.core.gmm.Gmm;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JointGaussianFitTest {
    @Test
    void fewSamplesArePulledTowardThePriorAsTheFormulaSays() {
        double[][] rows = {{0.5, 1.0, 1.2}, {-0.3, 0.2, -0.1}, {1.1, -0.7, 0.4}};
        NiwPrior prior = new NiwPrior(new double[] {0.1, 0.0, 0.2},
                Mat.of(new double[][] {{2.0, 0.1, 1.0}, {0.1, 1.5, 0.3}, {1.0, 0.3, 2.5}}), 1.0, 0.8);
        ConditionalGaussian fit = JointGaussianFit.conditional(rows, 2, prior, 1e-6);
        // Expected values from an independent numpy evaluation of docs/algorithm.md section 4
        // (np.linalg.solve on the same formula); agreement to rounding of a 3x3 problem.
        assertEquals(0.5406030804370593, fit.gain().get(0, 0), 1e-12);
        assertEquals(0.4065518795888345, fit.gain().get(0, 1), 1e-12);
        assertEquals(0.19798001854580188, fit.offset()[0], 1e-12);
        assertEquals(0.5836390562243743, fit.covariance().get(0, 0), 1e-12);
        // Least squares on the three rows alone gives gains (0.853, 0.772); the prior's own
        // regression, Phi_in,in^{-1} Phi_in,out, gives (0.490, 0.167): the fit lies between.
        assertTrue(fit.gain().get(0, 0) < 0.853 && fit.gain().get(0, 0) > 0.490);
        assertTrue(fit.gain().get(0, 1) < 0.772 && fit.gain().get(0, 1) > 0.167);
    }

    @Test
    void noiseFreeLinearDynamicsAreRecoveredExactlyWithTheGmmPrior() {
        Mat a = Mat.of(new double[][] {{0.9, 0.1, 0.0}, {-0.2, 0.95, 0.05}, {0.0, 0.3, 0.8}});
        Mat b = Mat.of(new double[][] {{0.0}, {0.5}, {1.0}});
        Random r = new Random(11);
        int n = 20;
        int steps = 30;
        double[][][] rows = new double[steps][n][];
        List<double[]> all = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            double[] x = {10 * r.nextGaussian(), 10 * r.nextGaussian(), 10 * r.nextGaussian()};
            for (int t = 0; t < steps; t++) {
                double[] u = {10 * r.nextGaussian()};
                double[] next = org.gps.core.linalg.Vec.plus(a.times(x), b.times(u));
                rows[t][s] = new double[] {x[0], x[1], x[2], u[0], next[0], next[1], next[2]};
                all.add(rows[t][s]);
                x = next;
            }
        }
        Gmm gmm = GmmEm.fit(List.of(PointBlock.of(0, all, 0)), GmmEm.clusterCount(all.size(), 20, 40),
                GmmOptions.defaults(1), null).model();
        for (int t = 0; t < steps; t++) {
            NiwPrior prior = gmm.prior(PointBlock.of(0, List.of(rows[t]), 0), 1.0);
            ConditionalGaussian fit = JointGaussianFit.conditional(rows[t], 4, prior, 1e-6);
            // The data and every GMM cluster lie on x' = A x + B u; only the fixed 1e-6 ridges (on the
            // GMM's covariances and on the [x, u] block) bias the gains, by about 1e-6 over the
            // smallest variance of a cluster's [x, u] block. That bias shrinks with the square of the
            // data's scale: with unit spread it measured 1.2e-6, with spread 10 it is ~1e-8.
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(a.get(i, j), fit.gain().get(i, j), 1e-6, "A[" + i + "," + j + "] at t=" + t);
                }
                assertEquals(b.get(i, 0), fit.gain().get(i, 3), 1e-6, "B[" + i + "] at t=" + t);
                assertEquals(0.0, fit.offset()[i], 1e-6);
            }
        }
    }

    @Test
    void oneSampleIsAClearError() {
        NiwPrior prior = new NiwPrior(new double[3], Mat.eye(3), 1, 1);
        BadInputException e = assertThrows(BadInputException.class,
                () -> JointGaussianFit.conditional(new double[][] {{1, 2, 3}}, 2, prior, 1e-6));
        assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
    }

    @Test
    void initialStateFollowsTheOriginalFormula() {
        double[][] x0 = {{1.0, 2.0}, {1.5, 1.0}, {0.5, 3.0}};
        double[][] window = {{1.0, 2.0}, {1.5, 1.0}, {0.5, 3.0}, {2.0, 2.0}};
        NiwPrior prior = InitialStateFit.prior(window, 1.0);
        InitialStateDistribution d = InitialStateFit.fit(x0, prior, 1e-6);
        // numpy reference of docs/algorithm.md section 5 with the same inputs.
        assertEquals(1.0, d.mean()[0], 1e-15);
        assertEquals(2.0, d.mean()[1], 1e-15);
        assertEquals(0.8066666666666666, d.covariance().get(0, 0), 1e-12);
        assertEquals(1.6666666666666665, d.covariance().get(1, 1), 1e-12);
        assertEquals(0.0, d.covariance().get(0, 1), 1e-15);
    }
}

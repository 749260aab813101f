package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The entropy weight omega (max_ent_traj) in the per-step C-step: each step's controller is the
 * Gaussian proportional to pb^(eta / (eta + omega)) exp(-Q / (eta + omega)).
 */
class PerStepEntropyTest {
    private static final int T = 6;
    private static final int DX = 3;
    private static final int DU = 2;

    /**
     * At the last step Q is the cost alone, so the controller's precision is Cuu / (eta + omega) +
     * eta / (eta + omega) Pb and its gain and offset follow from completing the square; computed
     * here from the blocks directly. The inverses of well-conditioned 2 x 2 matrices agree to
     * round-off, so 1e-10 is loose.
     */
    @Test
    void theLastStepIsTheTemperedGaussianProduct() {
        Random rnd = new Random(21);
        LinearGaussianDynamics dynamics = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-3);
        QuadraticCostModel cost = LqrProblems.quadraticCost(rnd, T, DX, DU);
        LinearGaussianController reference = LqrProblems.randomController(rnd, T, DX, DU, 0.3);
        double eta = 0.7;
        double omega = 0.25;
        double[] etas = new double[T];
        Arrays.fill(etas, eta);
        LqrSolution s = LqrBackwardPass.solvePerStep(dynamics, cost, reference, etas,
                TrajOptOptions.defaults().withConsPerStep(true).withMaxEntTraj(omega));
        int t = T - 1;
        int n = DX + DU;
        Mat cuu = cost.quadratic(t).block(DX, n, DX, n);
        Mat cux = cost.quadratic(t).block(DX, n, 0, DX);
        double[] cu = Arrays.copyOfRange(cost.linear(t), DX, n);
        double a = 1.0 / (eta + omega);
        double b = eta / (eta + omega);
        Mat pb = reference.precision(t);
        Mat precision = cuu.scale(a).plus(pb.scale(b)).symmetrize();
        Mat cov = Cholesky.of(precision).inverse();
        Mat gain = cov.times(pb.times(reference.gain(t)).scale(b).minus(cux.scale(a)));
        double[] pk = pb.times(reference.offset(t));
        double[] rhs = new double[DU];
        for (int i = 0; i < DU; i++) {
            rhs[i] = b * pk[i] - a * cu[i];
        }
        double[] offset = cov.times(rhs);
        LinearGaussianController c = s.controller();
        assertArrayEquals(cov.toColumnMajor(), c.covariance(t).toColumnMajor(), 1e-10);
        assertArrayEquals(gain.toColumnMajor(), c.gain(t).toColumnMajor(), 1e-10);
        assertArrayEquals(offset, c.offset(t), 1e-10);
    }

    /** The entropy weight widens every step's covariance: tr(S) grows with omega at the same etas. */
    @Test
    void anEntropyWeightKeepsTheCovarianceWider() {
        Random rnd = new Random(22);
        LinearGaussianDynamics dynamics = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-3);
        QuadraticCostModel cost = LqrProblems.quadraticCost(rnd, T, DX, DU);
        LinearGaussianController reference = LqrProblems.randomController(rnd, T, DX, DU, 0.3);
        double[] etas = new double[T];
        Arrays.fill(etas, 0.05);
        TrajOptOptions o = TrajOptOptions.defaults().withConsPerStep(true);
        LinearGaussianController none = LqrBackwardPass.solvePerStep(dynamics, cost, reference, etas, o).controller();
        LinearGaussianController some = LqrBackwardPass.solvePerStep(dynamics, cost, reference, etas,
                o.withMaxEntTraj(0.5)).controller();
        for (int t = 0; t < T; t++) {
            assertTrue(some.covariance(t).trace() > 1.5 * none.covariance(t).trace(),
                    "t " + t + ": " + some.covariance(t).trace() + " against " + none.covariance(t).trace());
        }
    }
}

package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BadmmDualsTest {
    private static final int T = 4;
    private static final int DX = 2;
    private static final int DU = 1;

    @Test
    void theAugmentedCStepIsTheOriginalsSurrogateCost() {
        Random rnd = new Random(3);
        LinearGaussianDynamics dyn = LqrProblems.stableDynamics(rnd, T, DX, DU, 0.01);
        QuadraticCostModel cost = LqrProblems.quadraticCost(rnd, T, DX, DU);
        LinearGaussianController previous = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        LinearGaussianController policy = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        Mat[] lk = new Mat[T];
        double[][] lo = new double[T][];
        double[] w = new double[T];
        for (int t = 0; t < T; t++) {
            lk[t] = LqrProblems.gaussian(rnd, DU, DX, 0.3);
            lo[t] = LqrProblems.gaussian(rnd, DU, 0.3);
            w[t] = 0.5 + t;
        }
        BadmmDuals duals = new BadmmDuals(lk, lo, w);
        double eta = 2.0;
        TrajOptOptions o = TrajOptOptions.defaults();
        LqrSolution viaAugment = LqrBackwardPass.solve(dyn, duals.augment(cost, policy), KlTerms.of(previous), eta, o, w, null);

        // The original's form, written out: fCm = (Cm - Lambda + eta TKL + w PKL) / (eta + w + omega).
        KlTerms tkl = KlTerms.of(previous);
        KlTerms pkl = KlTerms.of(policy);
        Mat[] fCm = new Mat[T];
        double[][] fcv = new double[T][];
        for (int t = 0; t < T; t++) {
            double denom = eta + w[t] + o.maxEntTraj();
            Mat lag = Mat.zeros(DX + DU, DX + DU).withBlock(DX, 0, lk[t]).withBlock(0, DX, lk[t].transpose());
            fCm[t] = cost.quadratic(t).minus(lag).plusScaled(eta, tkl.m[t]).plusScaled(w[t], pkl.m[t])
                    .scale(1.0 / denom);
            double[] v = cost.linear(t).clone();
            for (int i = 0; i < DX + DU; i++) {
                v[i] += eta * tkl.v[t][i] + w[t] * pkl.v[t][i];
            }
            v[DX] -= lo[t][0];
            for (int i = 0; i < v.length; i++) {
                v[i] /= denom;
            }
            fcv[t] = v;
        }
        // Plain LQR on the written-out surrogate.
        LinearGaussianController direct = LqrBackwardPass.plain(dyn, DX, DU, fCm, fcv);
        for (int t = 0; t < T; t++) {
            // Same quadratic up to the order of floating-point sums: 1e-9 relative on O(1) numbers.
            assertArrayEquals(direct.gain(t).toRowMajor(), viaAugment.controller().gain(t).toRowMajor(), 1e-9);
            assertArrayEquals(direct.offset(t), viaAugment.controller().offset(t), 1e-9);
            assertArrayEquals(direct.covariance(t).toRowMajor(), viaAugment.controller().covariance(t).toRowMajor(),
                    1e-9);
        }
    }

    @Test
    void theDualStepMovesTheMultipliersByTheWeightedPrecisionTimesTheGap() {
        Random rnd = new Random(4);
        LinearGaussianController traj = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        LinearGaussianController policy = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        BadmmDuals d = BadmmDuals.initial(T, DX, DU, 0.01).weightStep(new double[] {1, 2, 3, 4}, "kl", 1.0, 2, 0.5,
                0.5, 1);
        double[][] gap = {{0.5}, {-1.0}, {2.0}, {0.0}};
        BadmmDuals next = d.dualStep(traj, policy, gap, 0.1, 0.2);
        for (int t = 0; t < T; t++) {
            double p = traj.precision(t).get(0, 0);
            double w = 0.01 + (t + 1);
            assertEquals(-0.1 * w * p * gap[t][0], next.lambdak()[t][0], 1e-12);
            for (int i = 0; i < DX; i++) {
                double expected = -0.2 * w * p * (traj.gain(t).get(0, i) - policy.gain(t).get(0, i));
                assertEquals(expected, next.lambdaK()[t].get(0, i), 1e-12);
            }
        }
    }

    @Test
    void weightRulesFollowTheKlAsTheOriginalDoes() {
        BadmmDuals d = BadmmDuals.initial(4, DX, DU, 1.0);
        // "kl": w + lg_step * kl, floored at 0.
        assertArrayEquals(new double[] {1.0, 6.0, 1.0, 21.0},
                d.weightStep(new double[] {0, 0.5, 0, 2}, "kl", 10.0, 2, 0.5, 0.5, 1).policyWeights(), 1e-12);
        // "exp": kl = {0, 1, 2, 9}: mean 3, std sqrt(12.5) = 3.54; below 3 - 3.54 none, at or above
        // 3 + 0.5 * 3.54 = 4.77 only the last, which doubles.
        assertArrayEquals(new double[] {1.0, 1.0, 1.0, 2.0},
                d.weightStep(new double[] {0, 1, 2, 9}, "exp", 10.0, 2, 0.5, 0.5, 1).policyWeights(), 1e-12);
    }

    @Test
    void theSStepTargetMinimisesThePolicyPartOfTheCStepsLagrangian() {
        // At a state x the policy's part is lambda(x)^T f + w/2 (f - mu)^T P (f - mu) (the mean
        // term of w KL), lambda(x) = lambda_K x + lambda_k: its gradient w P (f - mu) + lambda
        // vanishes at the target, whatever the weight. Two actions, so S P = I is tested too.
        Random rnd = new Random(6);
        int dU = 2;
        LinearGaussianController traj = LqrProblems.randomController(rnd, T, DX, dU, 0.5);
        Mat[] lk = new Mat[T];
        double[][] lo = new double[T][];
        for (int t = 0; t < T; t++) {
            lk[t] = LqrProblems.gaussian(rnd, dU, DX, 1.0);
            lo[t] = LqrProblems.gaussian(rnd, dU, 1.0);
        }
        double[] x = {0.3, -0.7};
        for (double w : new double[] {0.01, 1.0, 40.0}) {
            BadmmDuals d = new BadmmDuals(lk, lo, new double[] {w, w, w, w});
            for (int t = 0; t < T; t++) {
                double[] f = d.targetMean(traj, t, x);
                double[] diff = f.clone();
                double[] mu = traj.meanAction(t, x);
                for (int i = 0; i < dU; i++) {
                    diff[i] -= mu[i];
                }
                double[] grad = traj.precision(t).times(diff);
                double[] lambda = lk[t].times(x);
                for (int i = 0; i < dU; i++) {
                    grad[i] = w * grad[i] + lambda[i] + lo[t][i];
                }
                // Multipliers of order 1 shifted by S lambda / w, up to 100 at w = 0.01: rounding
                // of the solve is ~1e-14 relative, so 1e-9 absolute on a gradient of order 1.
                assertArrayEquals(new double[dU], grad, 1e-9, "w " + w + ", t " + t);
            }
        }
    }

    @Test
    void aPolicyThatFollowsItsTargetsClosesTheGapAtTheDualRateWhateverTheWeight() {
        // The inner loop with the controller held fixed and a policy that fits its targets exactly:
        // the gap to the controller is S lambda_k / w, and the dual step takes rate w P gap off
        // lambda_k, so the gap shrinks by (1 - rate) each round. With weights that had grown to a
        // few tens and the shift S lambda (no division by w) the factor was 1 - rate w, below -1:
        // the policy's targets moved away from the controller further every round.
        Random rnd = new Random(8);
        LinearGaussianController traj = LqrProblems.randomController(rnd, T, DX, DU, 0.5);
        double[][] x = {{0.4, -1.0}, {-0.2, 0.3}, {1.5, 0.1}};
        double rate = 0.1;
        for (double w : new double[] {0.01, 1.0, 40.0}) {
            double[] weights = {w, w, w, w};
            double[][] lo = new double[T][];
            Mat[] lk = new Mat[T];
            for (int t = 0; t < T; t++) {
                lk[t] = Mat.zeros(DU, DX);
                lo[t] = new double[] {0.5 * w * (t + 1)};
            }
            BadmmDuals d = new BadmmDuals(lk, lo, weights);
            double[] previous = null;
            for (int round = 0; round < 20; round++) {
                double[][] gap = new double[T][1];
                for (int t = 0; t < T; t++) {
                    for (double[] xs : x) {
                        gap[t][0] += (traj.meanAction(t, xs)[0] - d.targetMean(traj, t, xs)[0]) / x.length;
                    }
                }
                if (previous != null) {
                    for (int t = 0; t < T; t++) {
                        // Sums of three gaps of order 0.1-1: 1e-9 relative is far above their rounding.
                        assertEquals(1 - rate, gap[t][0] / previous[t], 1e-9,
                                "w " + w + ", round " + round + ", t " + t);
                    }
                }
                previous = new double[T];
                for (int t = 0; t < T; t++) {
                    previous[t] = gap[t][0];
                }
                d = d.dualStep(traj, traj, gap, rate, 0.0);
            }
        }
    }
}

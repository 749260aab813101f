package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PILQR's two limits: with a model that predicts every sample's cost exactly it is the LQR step,
 * and with a model that predicts nothing it is PI2 on the sampled cost.
 */
class PilqrUpdateTest {
    private static final int T = 12;
    private static final int DX = 3;
    private static final int DU = 2;

    /**
     * Exactly linear dynamics, a quadratic cost, every sample from x0mu with whitened noise (N = 2 dU,
     * eps = +-sqrt(dU) e_j: per-step mean 0 and biased covariance I): the residual is round-off, so
     * PI2's weights are uniform to within exp(1e-12 / eta), its mean adds Lq times a noise mean of 0
     * and its damping factor is gamma^(1/d) = 1. The controller is LQR's to 1e-9 (the residual's
     * round-off, about 1e-14, divided by temperatures no smaller than min_temperature 1e-3, moves
     * the weights by about 1e-11 of the noise amplitude sqrt(2)).
     */
    @Test
    void aModelThatPredictsEveryCostGivesTheLqrStep() {
        Random rnd = new Random(11);
        Setup s = new Setup(rnd);
        ConditionSamples samples = s.simulate(whitenedNoise());
        double[] etas = filled(1.0);
        double[] mult = filled(1.0);
        TrajOptOptions lqrOptions = TrajOptOptions.defaults().withConsPerStep(true);
        PilqrOptions options = PilqrOptions.defaults();
        PilqrUpdate.Result r = PilqrUpdate.update(s.model, s.sampler, s.sampler, samples, etas, mult, false,
                lqrOptions, options, Pi2Options.defaults());
        TrajOptResult lqr = TrajectoryOptimizer.optimizePerStep(s.model, s.sampler, etas, options.klTargets(mult),
                lqrOptions);
        assertTrue(r.corrected());
        for (int t = 0; t < T; t++) {
            assertArrayEquals(lqr.controller().gain(t).toColumnMajor(), r.controller().gain(t).toColumnMajor(), 0.0,
                    "K is LQR's exactly (PI2 copies it): t " + t);
            assertArrayEquals(lqr.controller().offset(t), r.controller().offset(t), 1e-9, "k, t " + t);
            assertArrayEquals(lqr.controller().covariance(t).toColumnMajor(),
                    r.controller().covariance(t).toColumnMajor(), 1e-9, "S, t " + t);
            assertTrue(Math.abs(r.rho()[t]) < 1e-12, "residual share at t " + t + ": " + r.rho()[t]);
        }
    }

    /**
     * A model whose cost expansion is zero predicts no cost: the residual is the whole sampled cost,
     * and the LQR part, with nothing to optimise, keeps the reference (S = (Pb)^-1, k = Sb Pb kb: the
     * reference to round-off, 1e-12 relative for these well-conditioned covariances). What is left is
     * PI2 in replay mode on the sampled cost, from the reference.
     */
    @Test
    void aModelThatPredictsNothingGivesThePi2Step() {
        Random rnd = new Random(12);
        Setup s = new Setup(rnd);
        double[][][] eps = new double[8][T][];
        for (double[][] sample : eps) {
            for (int t = 0; t < T; t++) {
                sample[t] = LqrProblems.gaussian(rnd, DU, 1.0);
            }
        }
        ConditionSamples samples = s.simulate(eps);
        TrajectoryModel blind = s.model.withCost(QuadraticCostModel.of(DX, new double[T], new double[T][DX + DU],
                zeros()));
        PilqrOptions options = PilqrOptions.defaults();
        PilqrUpdate.Result r = PilqrUpdate.update(blind, s.sampler, s.sampler, samples, filled(1.0), filled(1.0),
                false, TrajOptOptions.defaults().withConsPerStep(true), options, Pi2Options.defaults());
        Pi2Result pi2 = Pi2Update.update(s.sampler, samples, samples.costs(), Pi2Update.Mode.REPLAY,
                Pi2Update.temperatures(samples.costs(), Pi2Options.defaults()), Pi2Options.defaults());
        for (int t = 0; t < T; t++) {
            assertArrayEquals(pi2.controller().offset(t), r.controller().offset(t), 1e-9, "k, t " + t);
            assertArrayEquals(pi2.controller().covariance(t).toColumnMajor(),
                    r.controller().covariance(t).toColumnMajor(), 1e-9, "S, t " + t);
            assertArrayEquals(s.sampler.gain(t).toColumnMajor(), r.controller().gain(t).toColumnMajor(), 1e-9,
                    "K stays the reference's, t " + t);
            assertEquals(1.0, r.rho()[t], 1e-12, "the residual is all of the cost");
        }
        assertArrayEquals(pi2.temperatures(), r.temperatures(), 0.0);
    }

    /**
     * From the second iteration the residual's share sets the multipliers: a model that explains the
     * cost (share about 1e-15) doubles them, clipped to max_step_mult; the first iteration keeps them.
     */
    @Test
    void theStepRuleRunsOnlyWhenAsked() {
        Random rnd = new Random(13);
        Setup s = new Setup(rnd);
        ConditionSamples samples = s.simulate(whitenedNoise());
        double[] mult = filled(4.0);
        TrajOptOptions lqrOptions = TrajOptOptions.defaults().withConsPerStep(true);
        PilqrOptions options = PilqrOptions.defaults();
        PilqrUpdate.Result kept = PilqrUpdate.update(s.model, s.sampler, s.sampler, samples, filled(1.0), mult, false,
                lqrOptions, options, Pi2Options.defaults());
        PilqrUpdate.Result adjusted = PilqrUpdate.update(s.model, s.sampler, s.sampler, samples, filled(1.0), mult,
                true, lqrOptions, options, Pi2Options.defaults());
        double[] max = options.maxStepMult().values(T);
        for (int t = 0; t < T; t++) {
            assertEquals(4.0, kept.stepMult()[t], 0.0);
            assertEquals(Math.min(8.0, max[t]), adjusted.stepMult()[t], 0.0, "t " + t);
        }
    }

    private static double[][][] whitenedNoise() {
        double[][][] eps = new double[2 * DU][T][DU];
        for (int j = 0; j < DU; j++) {
            for (int t = 0; t < T; t++) {
                eps[2 * j][t][j] = Math.sqrt(DU);
                eps[2 * j + 1][t][j] = -Math.sqrt(DU);
            }
        }
        return eps;
    }

    private static double[] filled(double v) {
        double[] a = new double[T];
        Arrays.fill(a, v);
        return a;
    }

    private static Mat[] zeros() {
        Mat[] m = new Mat[T];
        Arrays.fill(m, Mat.zeros(DX + DU, DX + DU));
        return m;
    }

    /** Linear dynamics with no noise, a quadratic cost, x0 = x0mu exactly, and the controller that samples. */
    private static final class Setup {
        final TrajectoryModel model;
        final LinearGaussianController sampler;

        Setup(Random rnd) {
            LinearGaussianDynamics dynamics = LqrProblems.stableDynamics(rnd, T, DX, DU, 1e-3);
            InitialStateDistribution x0 = new InitialStateDistribution(LqrProblems.gaussian(rnd, DX, 1.0),
                    Mat.eye(DX, 1e-6));
            model = new TrajectoryModel(dynamics, x0, LqrProblems.quadraticCost(rnd, T, DX, DU));
            sampler = LqrProblems.randomController(rnd, T, DX, DU, 0.3);
        }

        /** Each noise sequence run through the sampler and the mean dynamics from x0mu, costed by the model's cost. */
        ConditionSamples simulate(double[][][] eps) {
            int n = eps.length;
            double[][][] x = new double[n][T][];
            double[][][] u = new double[n][T][];
            double[][] c = new double[n][T];
            for (int i = 0; i < n; i++) {
                double[] state = model.initialState().mean();
                for (int t = 0; t < T; t++) {
                    x[i][t] = state;
                    u[i][t] = sampler.act(t, state, eps[i][t]);
                    double[] y = new double[DX + DU];
                    System.arraycopy(state, 0, y, 0, DX);
                    System.arraycopy(u[i][t], 0, y, DX, DU);
                    c[i][t] = model.cost().valueAt(t, y);
                    if (t < T - 1) {
                        state = model.dynamics().predict(t, state, u[i][t]);
                    }
                }
            }
            return new ConditionSamples(x, u, eps, c);
        }
    }
}

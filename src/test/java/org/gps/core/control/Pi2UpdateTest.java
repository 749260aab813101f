package org.gps.core.control;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.gps.core.control.LqrProblems.gaussian;
import static org.gps.core.control.LqrProblems.spd;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Pi2UpdateTest {
    private static final Pi2Options DEFAULTS = Pi2Options.defaults();
    /**
     * The update and the brute force below form the same O(1) sums of at most a few dozen terms,
     * with weights that differ only by the rounding of exp arguments below 100: agreement to ~1e-13
     * is expected, 1e-10 leaves room without hiding a wrong formula (those are off by O(1e-2) or more).
     */
    private static final double BRUTE_TOL = 1e-10;

    // ------------------------------------------------------------------ fixtures

    private static LinearGaussianController randomController(Random rnd, int horizon, int dX, int dU) {
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            gains[t] = gaussian(rnd, dU, dX, 1.0);
            offsets[t] = gaussian(rnd, dU, 1.0);
            covs[t] = spd(rnd, dU, 0.3);
        }
        return LinearGaussianController.of(gains, offsets, covs);
    }

    /** N samples drawn from {@code base} at random states, with the given noise and costs. */
    private static ConditionSamples drawn(LinearGaussianController base, Random rnd, double[][][] eps, double[][] c) {
        int n = eps.length;
        int horizon = base.horizon();
        double[][][] x = new double[n][horizon][];
        double[][][] u = new double[n][horizon][];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < horizon; t++) {
                x[i][t] = gaussian(rnd, base.stateDim(), 1.0);
                u[i][t] = base.act(t, x[i][t], eps[i][t]);
            }
        }
        return new ConditionSamples(x, u, eps, c);
    }

    private static double[][][] randomNoise(Random rnd, int n, int horizon, int dU) {
        double[][][] eps = new double[n][horizon][];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < horizon; t++) {
                eps[i][t] = gaussian(rnd, dU, 1.0);
            }
        }
        return eps;
    }

    private static double[][] randomCosts(Random rnd, int n, int horizon) {
        double[][] c = new double[n][horizon];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < horizon; t++) {
                c[i][t] = rnd.nextDouble();
            }
        }
        return c;
    }

    // ------------------------------------------------------------------ brute force, written out plainly

    /** p_i at step t: exp(-Z_{i,t} / eta) normalised, Z the plain sum of the costs from t on. */
    private static double[] bruteWeights(double[][] c, int t, double eta) {
        int n = c.length;
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double z = 0;
            for (int s = t; s < c[i].length; s++) {
                z += c[i][s];
            }
            p[i] = Math.exp(-z / eta);
            sum += p[i];
        }
        for (int i = 0; i < n; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static double bruteKl(double[] p) {
        double kl = 0;
        for (double pi : p) {
            if (pi > 0) {
                kl += pi * Math.log(p.length * pi);
            }
        }
        return kl;
    }

    private static double[] feedforward(LinearGaussianController base, ConditionSamples s, int i, int t,
                                        Pi2Update.Mode mode) {
        double[] a = new double[base.actionDim()];
        if (mode == Pi2Update.Mode.SAMPLED) {
            double[] kx = base.gain(t).times(s.state(i, t));
            double[] u = s.action(i, t);
            for (int j = 0; j < a.length; j++) {
                a[j] = u[j] - kx[j];
            }
        } else {
            double[] le = base.choleskyFactor(t).times(s.noise(i, t));
            double[] k = base.offset(t);
            for (int j = 0; j < a.length; j++) {
                a[j] = k[j] + le[j];
            }
        }
        return a;
    }

    private static double[] bruteMean(double[] p, double[][] v) {
        double[] m = new double[v[0].length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < m.length; j++) {
                m[j] += p[i] * v[i][j];
            }
        }
        return m;
    }

    private static Mat bruteCovariance(double[] p, double[][] v) {
        double[] m = bruteMean(p, v);
        int d = m.length;
        double[][] c = new double[d][d];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < d; k++) {
                    c[j][k] += p[i] * (v[i][j] - m[j]) * (v[i][k] - m[k]);
                }
            }
        }
        return Mat.of(c);
    }

    private static double[][] feedforwards(LinearGaussianController base, ConditionSamples s, int t,
                                           Pi2Update.Mode mode) {
        double[][] a = new double[s.count()][];
        for (int i = 0; i < a.length; i++) {
            a[i] = feedforward(base, s, i, t, mode);
        }
        return a;
    }

    private static double[][] noises(ConditionSamples s, int t) {
        double[][] e = new double[s.count()][];
        for (int i = 0; i < e.length; i++) {
            e[i] = s.noise(i, t);
        }
        return e;
    }

    private static double relDiff(Mat a, Mat b) {
        return a.maxAbsDiff(b) / b.maxAbs();
    }

    // ------------------------------------------------------------------ tests

    @Test
    void meanAndCovarianceAreTheWeightedMaximumLikelihoodFitOfTheFeedforwardActions() {
        Random rnd = new Random(11);
        int n = 12;
        int horizon = 4;
        int dU = 2;
        LinearGaussianController base = randomController(rnd, horizon, 3, dU);
        double[][] c = randomCosts(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        for (Pi2Update.Mode mode : Pi2Update.Mode.values()) {
            for (double d : new double[] {0.0, 1.0, 2.0, 3.5}) {
                Pi2Result r = Pi2Update.update(base, s, c, mode, null, DEFAULTS.withCovarianceDamping(d));
                double[] eta = r.temperatures();
                for (int t = 0; t < horizon; t++) {
                    double[] p = bruteWeights(c, t, eta[t]);
                    double[][] a = feedforwards(base, s, t, mode);
                    assertArrayEquals(bruteMean(p, a), r.controller().offset(t), BRUTE_TOL, mode + " d=" + d);
                    Mat cov = bruteCovariance(p, a);
                    Mat expected = d == 0 ? cov
                            : base.covariance(t).scale(Math.pow(base.precision(t).times(cov).trace() / dU, 1 / d));
                    assertTrue(relDiff(r.controller().covariance(t), expected) < BRUTE_TOL, mode + " d=" + d
                            + " t=" + t + ": " + r.controller().covariance(t) + " vs " + expected);
                    assertEquals(base.gain(t), r.controller().gain(t));
                }
            }
        }
    }

    @Test
    void dualTemperatureMeetsTheKlBoundAboveTheMinimum() {
        Random rnd = new Random(5);
        int n = 20;
        int horizon = 5;
        LinearGaussianController base = randomController(rnd, horizon, 2, 2);
        // Costs of order 1 spread over 20 samples: KL at eta = 0.001 is near log 20 = 3.0 > 1, so the bound binds.
        double[][] c = randomCosts(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, 2), c);
        for (double epsilon : new double[] {0.1, 1.0, 2.0}) {
            Pi2Result r = Pi2Update.update(base, s, c, Pi2Update.Mode.SAMPLED, null,
                    DEFAULTS.withKlThreshold(epsilon));
            for (int t = 0; t < horizon; t++) {
                double eta = r.temperatures()[t];
                assertTrue(eta > DEFAULTS.minTemperature(), "eta_" + t + " = " + eta);
                // The solver stops within KL_TOLERANCE; the plain KL of the plain weights adds round-off
                // of ~1e-14 on top.
                assertEquals(epsilon, bruteKl(bruteWeights(c, t, eta)), Pi2Update.KL_TOLERANCE + 1e-12);
                assertEquals(epsilon, r.weightKl()[t], Pi2Update.KL_TOLERANCE);
            }
        }
    }

    @Test
    void temperatureStaysAtTheMinimumWhenTheBoundDoesNotBind() {
        Random rnd = new Random(6);
        int n = 10;
        int horizon = 3;
        double[][] tiny = randomCosts(rnd, n, horizon);
        for (double[] row : tiny) {
            for (int t = 0; t < horizon; t++) {
                row[t] *= 1e-5;
            }
        }
        // Costs-to-go spread by at most 3e-5 against eta = 0.001: weights within 3 % of uniform, KL < 1e-3.
        double[] eta = Pi2Update.temperatures(tiny, DEFAULTS);
        for (int t = 0; t < horizon; t++) {
            assertEquals(DEFAULTS.minTemperature(), eta[t], 0);
            assertTrue(bruteKl(bruteWeights(tiny, t, eta[t])) <= DEFAULTS.klThreshold());
        }
        // epsilon >= log N: no weights are further than log N from uniform, whatever the costs.
        double[][] wide = randomCosts(rnd, n, horizon);
        for (double epsilon : new double[] {Math.log(n), 5.0}) {
            double[] etaWide = Pi2Update.temperatures(wide, DEFAULTS.withKlThreshold(epsilon));
            for (int t = 0; t < horizon; t++) {
                assertEquals(DEFAULTS.minTemperature(), etaWide[t], 0, "epsilon " + epsilon);
            }
        }
    }

    @Test
    void weightKlFallsWithTemperatureFromLogNOverTiesToZero() {
        double[] z = {0.0, 0.0, 0.3, 1.0, 2.5, 4.0};
        double previous = Double.POSITIVE_INFINITY;
        // From eta = 0.01 (the first weight off the tie is exp(-30)) up: below, KL sits at log 3 in double.
        for (double logEta = -2; logEta <= 4; logEta += 0.25) {
            double kl = Pi2Update.weightKl(z, Math.pow(10, logEta));
            assertTrue(kl < previous, "KL at 1e" + logEta + " = " + kl + " not below " + previous);
            previous = kl;
        }
        // Two samples tied at the minimum, the rest 3e5 temperatures away (exp underflows to 0):
        // KL = log(6 / 2) in double precision.
        assertEquals(Math.log(3), Pi2Update.weightKl(z, 1e-6), 1e-15);
        // eta = 1e8: KL ~ Var(z) / (2 eta^2) ~ 1e-16, zero to round-off.
        assertEquals(0.0, Pi2Update.weightKl(z, 1e8), 1e-14);
        // The analytic KL matches the plain sum over the weights (round-off of a few terms of order 1).
        double[][] asCosts = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            asCosts[i] = new double[] {z[i]};
        }
        assertEquals(bruteKl(bruteWeights(asCosts, 0, 0.7)), Pi2Update.weightKl(z, 0.7), 1e-14);
    }

    @Test
    void equalCostsGiveUniformWeightsTheSampleMeanAndTheBiasedCovariance() {
        Random rnd = new Random(8);
        int n = 7;
        int horizon = 3;
        int dU = 3;
        LinearGaussianController base = randomController(rnd, horizon, 2, dU);
        double[][] c = new double[n][];
        for (int i = 0; i < n; i++) {
            c[i] = new double[] {1.5, -2.0, 0.25};
        }
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        Pi2Result r = Pi2Update.update(base, s, c, Pi2Update.Mode.SAMPLED, null, DEFAULTS.withCovarianceDamping(0));
        for (int t = 0; t < horizon; t++) {
            assertEquals(DEFAULTS.minTemperature(), r.temperatures()[t], 0);
            assertEquals(0.0, r.weightKl()[t], 1e-15);
            double[][] a = feedforwards(base, s, t, Pi2Update.Mode.SAMPLED);
            double[] mean = new double[dU];
            for (double[] ai : a) {
                for (int j = 0; j < dU; j++) {
                    mean[j] += ai[j] / n;
                }
            }
            double[][] cov = new double[dU][dU];
            for (double[] ai : a) {
                for (int j = 0; j < dU; j++) {
                    for (int k = 0; k < dU; k++) {
                        cov[j][k] += (ai[j] - mean[j]) * (ai[k] - mean[k]) / n;
                    }
                }
            }
            assertArrayEquals(mean, r.controller().offset(t), BRUTE_TOL);
            assertTrue(relDiff(r.controller().covariance(t), Mat.of(cov)) < BRUTE_TOL);
        }
    }

    /** eps = +-sqrt(dU) e_j at every step: mean exactly 0 and biased covariance exactly I. */
    private static double[][][] whitenedNoise(int horizon, int dU) {
        double[][][] eps = new double[2 * dU][horizon][];
        for (int j = 0; j < dU; j++) {
            for (int t = 0; t < horizon; t++) {
                eps[2 * j][t] = new double[dU];
                eps[2 * j + 1][t] = new double[dU];
                eps[2 * j][t][j] = Math.sqrt(dU);
                eps[2 * j + 1][t][j] = -Math.sqrt(dU);
            }
        }
        return eps;
    }

    @Test
    void whitenedNoiseWithEqualCostsIsAFixedPoint() {
        Random rnd = new Random(9);
        int horizon = 3;
        int dU = 3;
        LinearGaussianController base = randomController(rnd, horizon, 4, dU);
        double[][] c = new double[2 * dU][horizon];
        ConditionSamples s = drawn(base, rnd, whitenedNoise(horizon, dU), c);
        for (Pi2Update.Mode mode : Pi2Update.Mode.values()) {
            for (double d : new double[] {0.0, 1.0, 2.0, 7.5, 1e6}) {
                LinearGaussianController q = Pi2Update.update(base, s, c, mode, null,
                        DEFAULTS.withCovarianceDamping(d)).controller();
                for (int t = 0; t < horizon; t++) {
                    // Sums of six O(1) terms, and in sampled mode K x added and taken away again: a few
                    // ulps of O(1) values each, well inside 1e-12.
                    assertArrayEquals(base.offset(t), q.offset(t), 1e-12, mode + " d=" + d);
                    assertTrue(relDiff(q.covariance(t), base.covariance(t)) < 1e-12, mode + " d=" + d);
                }
            }
        }
    }

    @Test
    void affineCostChangesScaleTheTemperatureAndChangeNothingElse() {
        Random rnd = new Random(12);
        int n = 15;
        int horizon = 4;
        LinearGaussianController base = randomController(rnd, horizon, 3, 2);
        double[][] c = randomCosts(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, 2), c);
        double alpha = 37.0;
        double[] beta = gaussian(rnd, horizon, 10.0);
        double[][] shifted = new double[n][horizon];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < horizon; t++) {
                shifted[i][t] = alpha * c[i][t] + beta[t];
            }
        }
        for (Pi2Update.Mode mode : Pi2Update.Mode.values()) {
            Pi2Result r = Pi2Update.update(base, s, c, mode, null, DEFAULTS);
            Pi2Result q = Pi2Update.update(base, s, shifted, mode, null, DEFAULTS);
            for (int t = 0; t < horizon; t++) {
                double eta = r.temperatures()[t];
                assertTrue(eta > DEFAULTS.minTemperature());
                // Both solves stop within KL_TOLERANCE = 1e-9 of the bound; KL falls with slope
                // Var_p(Z / eta) >= 0.05 (checked) in log eta, so log eta differs by at most 4e-8 and
                // so do the weights, relatively.
                double slope = varianceOverTemperature(c, t, eta);
                assertTrue(slope >= 0.05, "slope " + slope);
                assertEquals(1.0, q.temperatures()[t] / (alpha * eta), 1e-7);
                assertArrayEquals(r.controller().offset(t), q.controller().offset(t), 1e-7);
                assertTrue(relDiff(q.controller().covariance(t), r.controller().covariance(t)) < 1e-7);
            }
            // With the temperatures given, only the rounding of the exp arguments remains.
            double[] scaled = r.temperatures();
            for (int t = 0; t < horizon; t++) {
                scaled[t] *= alpha;
            }
            Pi2Result fixed = Pi2Update.update(base, s, shifted, mode, scaled, DEFAULTS);
            for (int t = 0; t < horizon; t++) {
                assertArrayEquals(r.controller().offset(t), fixed.controller().offset(t), BRUTE_TOL);
                assertTrue(relDiff(fixed.controller().covariance(t), r.controller().covariance(t)) < BRUTE_TOL);
            }
        }
    }

    /** Var_p(Z_t / eta) under the weights at eta: the slope of KL in log eta. */
    private static double varianceOverTemperature(double[][] c, int t, double eta) {
        double[] p = bruteWeights(c, t, eta);
        double[] y = new double[c.length];
        double mean = 0;
        for (int i = 0; i < c.length; i++) {
            for (int s = t; s < c[i].length; s++) {
                y[i] += c[i][s] / eta;
            }
            mean += p[i] * y[i];
        }
        double var = 0;
        for (int i = 0; i < c.length; i++) {
            var += p[i] * (y[i] - mean) * (y[i] - mean);
        }
        return var;
    }

    @Test
    void reorderingTheSamplesChangesNothing() {
        Random rnd = new Random(13);
        int n = 9;
        int horizon = 3;
        int dU = 2;
        LinearGaussianController base = randomController(rnd, horizon, 2, dU);
        double[][] c = randomCosts(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        int[] perm = {4, 0, 8, 2, 7, 1, 6, 3, 5};
        double[][][] x = new double[n][horizon][];
        double[][][] u = new double[n][horizon][];
        double[][][] eps = new double[n][horizon][];
        double[][] cp = new double[n][];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < horizon; t++) {
                x[i][t] = s.state(perm[i], t);
                u[i][t] = s.action(perm[i], t);
                eps[i][t] = s.noise(perm[i], t);
            }
            cp[i] = c[perm[i]];
        }
        ConditionSamples permuted = new ConditionSamples(x, u, eps, cp);
        for (Pi2Update.Mode mode : Pi2Update.Mode.values()) {
            Pi2Result r = Pi2Update.update(base, s, c, mode, null, DEFAULTS);
            Pi2Result q = Pi2Update.update(base, permuted, cp, mode, null, DEFAULTS);
            // Summing in another order changes the KL by round-off, which can move where the solver
            // stops within its tolerance: the same 1e-7 bound as for affine costs.
            assertArrayEquals(r.temperatures(), q.temperatures(), 1e-7 * max(r.temperatures()));
            for (int t = 0; t < horizon; t++) {
                assertArrayEquals(r.controller().offset(t), q.controller().offset(t), 1e-7);
                assertTrue(relDiff(q.controller().covariance(t), r.controller().covariance(t)) < 1e-7);
            }
        }
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElseThrow();
    }

    @Test
    void dampingInterpolatesBetweenTheBaseAndTheSampleCovariance() {
        Random rnd = new Random(14);
        int n = 10;
        int horizon = 2;
        int dU = 3;
        LinearGaussianController base = randomController(rnd, horizon, 2, dU);
        double[][] c = randomCosts(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        double[] eta = {0.4, 0.9};
        for (Pi2Update.Mode mode : Pi2Update.Mode.values()) {
            for (int t = 0; t < horizon; t++) {
                double[] p = bruteWeights(c, t, eta[t]);
                Mat cov = bruteCovariance(p, feedforwards(base, s, t, mode));
                double gamma = mode == Pi2Update.Mode.SAMPLED ? base.precision(t).times(cov).trace() / dU
                        : bruteCovariance(p, noises(s, t)).trace() / dU;
                assertTrue(gamma > 0.05 && Math.abs(gamma - 1) > 0.05,
                        "gamma " + gamma + " should tell the limits apart");
                // d = 1e12: S = gamma^(1e-12) Sb, within |log gamma| * 1e-12 < 1e-11 of Sb.
                Mat huge = Pi2Update.update(base, s, c, mode, eta, DEFAULTS.withCovarianceDamping(1e12))
                        .controller().covariance(t);
                assertTrue(relDiff(huge, base.covariance(t)) < 1e-10, mode + " huge d");
                Mat one = Pi2Update.update(base, s, c, mode, eta, DEFAULTS.withCovarianceDamping(1))
                        .controller().covariance(t);
                assertTrue(relDiff(one, base.covariance(t).scale(gamma)) < BRUTE_TOL, mode + " d=1");
                Mat none = Pi2Update.update(base, s, c, mode, eta, DEFAULTS.withCovarianceDamping(0))
                        .controller().covariance(t);
                assertTrue(relDiff(none, cov) < BRUTE_TOL, mode + " d=0");
            }
        }
    }

    @Test
    void replayModeScaleDependsOnTheNoiseAndWeightsOnly() {
        Random rnd = new Random(15);
        int n = 8;
        int horizon = 2;
        int dU = 2;
        LinearGaussianController base = randomController(rnd, horizon, 3, dU);
        LinearGaussianController other = randomController(rnd, horizon, 3, dU);
        double[][] c = randomCosts(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        double[] eta = {0.3, 0.6};
        LinearGaussianController a = Pi2Update.update(base, s, c, Pi2Update.Mode.REPLAY, eta, DEFAULTS).controller();
        LinearGaussianController b = Pi2Update.update(other, s, c, Pi2Update.Mode.REPLAY, eta, DEFAULTS).controller();
        for (int t = 0; t < horizon; t++) {
            // S = gamma^(1/2) Sb with the same gamma for both bases: S Sb^{-1} is the same multiple of I.
            double ga = a.covariance(t).get(0, 0) / base.covariance(t).get(0, 0);
            double gb = b.covariance(t).get(0, 0) / other.covariance(t).get(0, 0);
            assertEquals(ga, gb, 1e-13 * ga);
        }
    }

    /** Sample 0 costs 0 everywhere, the others at least 1 more at every step: one-hot weights at eta = 0.001. */
    private static double[][] oneBetterByOne(Random rnd, int n, int horizon) {
        double[][] c = new double[n][horizon];
        for (int i = 1; i < n; i++) {
            for (int t = 0; t < horizon; t++) {
                c[i][t] = 1 + rnd.nextDouble();
            }
        }
        return c;
    }

    @Test
    void oneHotWeightsRaiseTheTemperatureUntilTheCovarianceIsPositiveDefinite() {
        Random rnd = new Random(16);
        int n = 6;
        int horizon = 3;
        int dU = 2;
        LinearGaussianController base = randomController(rnd, horizon, 2, dU);
        double[][] c = oneBetterByOne(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        // epsilon = 2 > log 6: the dual stays at the minimum, where exp(-1 / 0.001) underflows to 0.
        Pi2Options options = DEFAULTS.withKlThreshold(2.0);
        double[] dual = Pi2Update.temperatures(c, options);
        for (int t = 0; t < horizon; t++) {
            assertEquals(options.minTemperature(), dual[t], 0);
            double[] p = bruteWeights(c, t, dual[t]);
            assertEquals(1.0, p[0], 0);
            assertEquals(0.0, max(Arrays.copyOfRange(p, 1, n)), 0);
        }
        for (Pi2Update.Mode mode : Pi2Update.Mode.values()) {
            Pi2Result r = Pi2Update.update(base, s, c, mode, null, options);
            for (int t = 0; t < horizon; t++) {
                double eta = r.temperatures()[t];
                assertTrue(eta > options.minTemperature(), "eta_" + t + " = " + eta);
                // The raise follows the schedule min + del0 (2^k - 1); the quotient is exact to ~1e-12.
                double steps = (eta - options.minTemperature()) / options.del0() + 1;
                double k = Math.rint(Math.log(steps) / Math.log(2));
                assertEquals(Math.pow(2, k), steps, 1e-6, "eta_" + t + " = " + eta);
                assertNotNull(Cholesky.tryOf(r.controller().covariance(t)));
            }
        }
    }

    @Test
    void retryRaisesOnlyTheFailingStepAndRecomputesItFromScratch() {
        Random rnd = new Random(17);
        int n = 6;
        int horizon = 3;
        int dU = 2;
        LinearGaussianController base = randomController(rnd, horizon, 2, dU);
        double[][] c = oneBetterByOne(rnd, n, horizon);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, horizon, dU), c);
        double[] eta = {0.5, 0.001, 0.8};
        double[] given = eta.clone();
        Pi2Result r = Pi2Update.update(base, s, c, Pi2Update.Mode.SAMPLED, eta, DEFAULTS);
        assertArrayEquals(given, eta, 0, "the caller's temperatures were modified");
        double[] used = r.temperatures();
        assertEquals(0.5, used[0], 0);
        assertEquals(0.8, used[2], 0);
        assertTrue(used[1] > 0.001);
        // Step 1 equals a fresh fit at the raised temperature: nothing of the failed pass is left.
        // Its weights off the best sample are tiny (down to ~1e-300), so compare relatively.
        double[] p = bruteWeights(c, 1, used[1]);
        Mat cov = bruteCovariance(p, feedforwards(base, s, 1, Pi2Update.Mode.SAMPLED));
        double gamma = base.precision(1).times(cov).trace() / dU;
        assertTrue(gamma > 0);
        assertTrue(relDiff(r.controller().covariance(1), base.covariance(1).scale(Math.sqrt(gamma))) < BRUTE_TOL);
        assertArrayEquals(bruteMean(p, feedforwards(base, s, 1, Pi2Update.Mode.SAMPLED)),
                r.controller().offset(1), BRUTE_TOL);
    }

    @Test
    void resultGainsAreCopiesOfTheBaseGains() {
        Random rnd = new Random(18);
        LinearGaussianController base = randomController(rnd, 2, 3, 2);
        double[][] c = randomCosts(rnd, 5, 2);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, 5, 2, 2), c);
        LinearGaussianController q = Pi2Update.update(base, s, DEFAULTS).controller();
        for (int t = 0; t < 2; t++) {
            assertEquals(base.gain(t), q.gain(t));
            assertNotSame(base.gain(t), q.gain(t));
        }
    }

    @Test
    void standaloneUpdateIsSampledModeOnTheSamplesCostsAndItsTemperaturesAreTheDual() {
        Random rnd = new Random(19);
        int n = 8;
        LinearGaussianController base = randomController(rnd, 3, 2, 2);
        double[][] c = randomCosts(rnd, n, 3);
        ConditionSamples s = drawn(base, rnd, randomNoise(rnd, n, 3, 2), c);
        Pi2Result standalone = Pi2Update.update(base, s, DEFAULTS);
        Pi2Result explicit = Pi2Update.update(base, s, c, Pi2Update.Mode.SAMPLED, null, DEFAULTS);
        assertEquals(explicit.controller(), standalone.controller());
        // No step needed a raise here, so the temperatures are the dual's, bit for bit.
        assertArrayEquals(Pi2Update.temperatures(c, DEFAULTS), standalone.temperatures(), 0);
    }

    @Test
    void fewerThanTwoSamplesAreRefused() {
        double[][][] one = {{{0.0}}};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConditionSamples(one, one, one, new double[][] {{1.0}}));
        assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Pi2Update.temperatures(new double[][] {{1.0}}, DEFAULTS));
    }

    @Test
    void malformedInputIsRefusedByName() {
        double[][][] x = {{{0.0}}, {{1.0}}};
        double[][][] bad = {{{0.0}}, {{Double.NaN}}};
        double[][] c = {{1.0}, {2.0}};
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> new ConditionSamples(x, x, bad, c));
        assertTrue(nan.getMessage().startsWith("eps[1][0]"), nan.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new ConditionSamples(x, x, x, new double[][] {{1.0}, {2.0, 3.0}}));
        assertTrue(shape.getMessage().startsWith("c[1]"), shape.getMessage());

        LinearGaussianController base = LinearGaussianController.of(new Mat[] {Mat.of(new double[][] {{0.0}})},
                new double[][] {{0.0}}, new Mat[] {Mat.eye(1)});
        ConditionSamples s = new ConditionSamples(x, x, x, c);
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> Pi2Update.update(base, s, c, Pi2Update.Mode.SAMPLED, new double[] {1, 1}, DEFAULTS));
        assertTrue(length.getMessage().startsWith("fixed temperatures"), length.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Pi2Update.update(base, s, c, Pi2Update.Mode.SAMPLED, new double[] {0}, DEFAULTS));
        assertTrue(zero.getMessage().startsWith("fixed temperature[0]"), zero.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Pi2Update.update(base, s, new double[][] {{1.0}}, Pi2Update.Mode.SAMPLED, null, DEFAULTS));

        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Pi2Options(0, 2, 1e-3, 1e-4))
                .getMessage().startsWith("kl_threshold"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Pi2Options(1, -1, 1e-3, 1e-4))
                .getMessage().startsWith("covariance_damping"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Pi2Options(1, 2, 0, 1e-4))
                .getMessage().startsWith("min_temperature"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Pi2Options(1, 2, 1e-3, Double.NaN))
                .getMessage().startsWith("del0"));
        assertEquals(new Pi2Options(1.0, 2.0, 0.001, 1e-4), Pi2Options.defaults());
    }

    @Test
    void identicalActionsFailWithTheStepNamed() {
        // Without damping, samples whose feedforward actions are all 0 at step 0 give k = 0 and C = 0
        // exactly at every temperature (other equal values could leave a round-off covariance).
        double[][][] x = {{{0.0}, {0.0}}, {{0.0}, {0.0}}};
        double[][][] u = {{{0.0}, {0.5}}, {{0.0}, {2.0}}};
        double[][] c = {{0.0, 0.0}, {1.0, 1.0}};
        LinearGaussianController base = LinearGaussianController.of(
                new Mat[] {Mat.of(new double[][] {{0.0}}), Mat.of(new double[][] {{0.0}})},
                new double[][] {{0.0}, {0.0}}, new Mat[] {Mat.eye(1), Mat.eye(1)});
        ConditionSamples s = new ConditionSamples(x, u, x, c);
        Pi2FailedException e = assertThrows(Pi2FailedException.class, () -> Pi2Update.update(base, s, c,
                Pi2Update.Mode.SAMPLED, null, DEFAULTS.withCovarianceDamping(0)));
        assertTrue(e.getMessage().startsWith("PI2 at step 0:"), e.getMessage());
    }
}

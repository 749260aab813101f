package org.gps.core.env;

import org.gps.core.linalg.Mat;
import org.gps.core.linalg.Vec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinearSystemTest {

    @Test
    void noiseFreeStepEqualsAxPlusBuExactly() {
        // Dyadic entries (multiples of 1/4) keep every product and sum exact in binary floating
        // point, whatever order BLAS adds them in, so the comparison can demand equality.
        Mat a = Mat.of(new double[][] {{1.0, 0.5}, {-0.25, 0.75}});
        Mat b = Mat.of(new double[][] {{0.5}, {2.0}});
        LinearSystem sys = new LinearSystem(a, b);
        sys.reset(new double[] {1.0, -2.0}, 7L);
        sys.step(new double[] {0.25});
        // A x = [1 - 1, -0.25 - 1.5] = [0, -1.75]; B u = [0.125, 0.5]; sum [0.125, -1.25]
        assertArrayEquals(new double[] {0.125, -1.25}, sys.state(), 0.0);
        sys.step(new double[] {-1.0});
        // A x = [0.125 - 0.625, -0.03125 - 0.9375] = [-0.5, -0.96875]; B u = [-0.5, -2]
        assertArrayEquals(new double[] {-1.0, -2.96875}, sys.state(), 0.0);
        assertArrayEquals(sys.state(), sys.observation(), 0.0);
    }

    @Test
    void sameSeedGivesTheSameNoisyTrajectoryAndAnotherSeedDiffers() {
        LinearSystem sys = LinearSystem.randomStable(5, 2, 11L).withNoise(0.1);
        double[][] first = rollout(sys, 99L, 30);
        double[][] again = rollout(sys, 99L, 30);
        double[][] other = rollout(sys, 100L, 30);
        for (int t = 0; t < first.length; t++) {
            assertArrayEquals(first[t], again[t], 0.0, "step " + t);
        }
        // Gaussian noise of std 0.1 makes two streams equal with probability 0.
        assertTrue(Vec.maxAbsDiff(first[1], other[1]) > 1e-6);
    }

    @Test
    void noiseHasTheConfiguredStandardDeviationPerDimension() {
        double[] std = {0.5, 0.0, 2.0};
        LinearSystem sys = new LinearSystem(Mat.eye(3), Mat.zeros(3, 1), std);
        int n = 4000;
        double[] sum = new double[3];
        double[] sumSq = new double[3];
        double[] zeroU = {0.0};
        for (int i = 0; i < n; i++) {
            double[] x0 = {0, 0, 0};
            sys.reset(x0, i);
            sys.step(zeroU);
            double[] x = sys.state();
            for (int d = 0; d < 3; d++) {
                sum[d] += x[d];
                sumSq[d] += x[d] * x[d];
            }
        }
        for (int d = 0; d < 3; d++) {
            double mean = sum[d] / n;
            double sd = Math.sqrt(sumSq[d] / n);
            // Mean: standard error std / sqrt(4000) = std * 0.016, allow 4 of them.
            // Sd: relative standard error of a sample sd is 1 / sqrt(2n) = 0.011, allow ~4.5 of them.
            assertEquals(0.0, mean, 4 * std[d] / Math.sqrt(n) + 1e-300, "mean of dim " + d);
            assertEquals(std[d], sd, 0.05 * std[d] + 1e-300, "sd of dim " + d);
        }
    }

    @Test
    void randomStableSystemHasSpectralNormBelowOneAndDoesNotGrow() {
        LinearSystem sys = LinearSystem.randomStable(26, 7, 2024L);
        Mat a = sys.a();
        assertEquals(26, sys.stateDim());
        assertEquals(7, sys.actionDim());
        // ||A||_2 by power iteration on A^T A; it bounds the spectral radius (and equals it here,
        // A being normal by construction). 2000 iterations are far more than enough for the
        // estimate to rise to within 1e-6 of the top singular value; the estimate never exceeds it.
        Mat ata = a.transposeTimes(a);
        double[] v = new double[26];
        java.util.Arrays.fill(v, 1.0);
        double sigma2 = 0;
        for (int i = 0; i < 2000; i++) {
            double[] w = ata.times(v);
            sigma2 = Math.sqrt(Vec.dot(w, w) / Vec.dot(v, v));
            v = Vec.scale(1 / Math.sqrt(Vec.dot(w, w)), w);
        }
        double norm = Math.sqrt(sigma2);
        assertTrue(norm <= 1.0, "||A||_2 = " + norm);
        // It is not trivially contracting either: the diagonal alone is 1 - dt * damping = 0.95.
        assertTrue(norm >= 0.95, "||A||_2 = " + norm);

        // A free rollout of 2000 steps never grows (||A x|| <= ||x|| up to rounding, 1e-12 relative).
        double[] x = new double[26];
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
        for (int i = 0; i < 26; i++) {
            x[i] = rng.nextGaussian();
        }
        sys.reset(x, 0L);
        double previous = Math.sqrt(Vec.dot(x, x));
        double[] u = new double[7];
        for (int t = 0; t < 2000; t++) {
            sys.step(u);
            double[] s = sys.state();
            double now = Math.sqrt(Vec.dot(s, s));
            assertTrue(now <= previous * (1 + 1e-12), "grew at step " + t);
            previous = now;
        }
    }

    @Test
    void randomStableBuilderIsDeterministicInItsSeed() {
        LinearSystem a = LinearSystem.randomStable(6, 3, 5L);
        LinearSystem b = LinearSystem.randomStable(6, 3, 5L);
        LinearSystem c = LinearSystem.randomStable(6, 3, 6L);
        assertEquals(a.a(), b.a());
        assertEquals(a.b(), b.b());
        assertFalse(a.a().equals(c.a()));
    }

    @Test
    void serializedMidEpisodeContinuesWithTheSameNoise() {
        LinearSystem sys = LinearSystem.randomStable(4, 2, 1L).withNoise(new double[] {0.1, 0.2, 0.3, 0.4});
        sys.reset(new double[] {1, 2, 3, 4}, 77L);
        double[] u = {0.5, -0.5};
        sys.step(u);
        sys.step(u);
        LinearSystem copy = SerializationRoundTrip.copy(sys);
        for (int t = 0; t < 5; t++) {
            sys.step(u);
            copy.step(u);
        }
        assertArrayEquals(sys.state(), copy.state(), 0.0);
    }

    @Test
    void rewardIsMinusHalfSquaredNorms() {
        LinearSystem sys = LinearSystem.randomStable(2, 1, 0L);
        // -0.5 (1 + 4 + 9) = -7
        assertEquals(-7.0, sys.reward(new double[] {1, 2}, new double[] {3}), 0.0);
    }

    private static double[][] rollout(LinearSystem sys, long seed, int steps) {
        double[][] xs = new double[steps + 1][];
        sys.reset(new double[] {1, 0, -1, 0.5, 0}, seed);
        xs[0] = sys.state();
        for (int t = 0; t < steps; t++) {
            sys.step(new double[] {Math.cos(t), Math.sin(t)});
            xs[t + 1] = sys.state();
        }
        return xs;
    }
}

package org.gps.core.control;

import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LinearGaussianControllerTest {

    @Test
    void unitNoiseInvertsActOnRandomControllers() {
        Random rnd = new Random(7);
        int horizon = 4;
        int dX = 5;
        int dU = 3;
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            gains[t] = Mat.of(gaussian(rnd, dU, dX));
            offsets[t] = gaussian(rnd, 1, dU)[0];
            Mat a = Mat.of(gaussian(rnd, dU, dU));
            // A A^T + I/2: eigenvalues >= 1/2, so L is well conditioned and the solve loses little.
            covs[t] = a.timesTranspose(a).plusDiagonal(0.5);
        }
        LinearGaussianController c = LinearGaussianController.of(gains, offsets, covs);
        for (int t = 0; t < horizon; t++) {
            for (int rep = 0; rep < 20; rep++) {
                double[] x = gaussian(rnd, 1, dX)[0];
                double[] eps = gaussian(rnd, 1, dU)[0];
                double[] u = c.act(t, x, new double[0], eps);
                // u is O(10) and L has condition number O(10): the forward substitution recovers eps
                // to a few hundred ulps of u, far inside 1e-12.
                assertArrayEquals(eps, c.unitNoise(t, x, u), 1e-12);
            }
        }
    }

    @Test
    void unitNoiseDividesTheResidualByTheCholeskyFactor() {
        // S = [[4, 2], [2, 10]] has L = [[2, 0], [1, 3]]; residual u - Kx - k = (2, 7):
        // eps_0 = 2 / 2 = 1, eps_1 = (7 - 1 * 1) / 3 = 2. Every number is exact in binary.
        LinearGaussianController c = LinearGaussianController.of(new Mat[] {Mat.of(new double[][] {{1}, {0}})},
                new double[][] {{0.5, -1}}, new Mat[] {Mat.of(new double[][] {{4, 2}, {2, 10}})});
        double[] x = {3};
        double[] u = {3 + 0.5 + 2, -1 + 7};
        double[] eps = c.unitNoise(0, x, u);
        assertEquals(1.0, eps[0], 0);
        assertEquals(2.0, eps[1], 0);
        assertArrayEquals(new double[] {0, 0}, c.unitNoise(0, x, c.meanAction(0, x)), 0);
    }

    private static double[][] gaussian(Random rnd, int rows, int cols) {
        double[][] a = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                a[i][j] = rnd.nextGaussian();
            }
        }
        return a;
    }
}

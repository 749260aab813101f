package org.gps.core.control;

import org.gps.core.cost.ActionCost;
import org.gps.core.cost.CostFunction;
import org.gps.core.cost.CostSum;
import org.gps.core.cost.QuadraticCostAccumulator;
import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.cost.RampOption;
import org.gps.core.cost.StateCost;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;

import java.util.Arrays;
import java.util.Random;

/** Small seeded problems for the C-step tests. */
final class LqrProblems {
    private LqrProblems() {
    }

    static double[] gaussian(Random rnd, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = scale * rnd.nextGaussian();
        }
        return v;
    }

    static Mat gaussian(Random rnd, int rows, int cols, double scale) {
        double[][] a = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            a[i] = gaussian(rnd, cols, scale);
        }
        return Mat.of(a);
    }

    /** A random symmetric positive definite matrix with eigenvalues at least {@code floor}. */
    static Mat spd(Random rnd, int n, double floor) {
        Mat g = gaussian(rnd, n, n, 1.0 / Math.sqrt(n));
        return g.timesTranspose(g).plusDiagonal(floor).symmetrize();
    }

    /**
     * Time-varying dynamics x' = A_t x + B_t u + c_t + noise with A_t = 0.9 I + 0.08 G / sqrt(dX) (spectral
     * radius about 0.98 by the circular law, so the open loop is stable), B_t of size ~0.3.
     */
    static LinearGaussianDynamics stableDynamics(Random rnd, int horizon, int dX, int dU, double noise) {
        Mat[] f = new Mat[horizon - 1];
        double[][] c = new double[horizon - 1][];
        Mat[] q = new Mat[horizon - 1];
        for (int t = 0; t < horizon - 1; t++) {
            Mat a = Mat.eye(dX, 0.9).plus(gaussian(rnd, dX, dX, 0.08 / Math.sqrt(dX)));
            Mat b = gaussian(rnd, dX, dU, 0.3);
            f[t] = Mat.zeros(dX, dX + dU).withBlock(0, 0, a).withBlock(0, dX, b);
            c[t] = gaussian(rnd, dX, 0.05);
            q[t] = Mat.eye(dX, noise);
        }
        return LinearGaussianDynamics.of(f, c, q);
    }

    static InitialStateDistribution x0(Random rnd, int dX) {
        return new InitialStateDistribution(gaussian(rnd, dX, 1.0), Mat.eye(dX, 0.01));
    }

    /** Quadratic cost from a state target cost (quadratic ramp) and an action cost, averaged over random samples. */
    static QuadraticCostModel quadraticCost(Random rnd, int horizon, int dX, int dU) {
        double[] w = new double[dX];
        Arrays.fill(w, 1.0);
        double[] wu = new double[dU];
        Arrays.fill(wu, 0.1);
        CostFunction cost = CostSum.of(
                new StateCost(gaussian(rnd, dX, 1.0), w, RampOption.QUADRATIC, 5.0, 0.0, 1.0, 1e-2),
                new ActionCost(wu));
        QuadraticCostAccumulator acc = new QuadraticCostAccumulator(horizon, dX, dU);
        for (int n = 0; n < 3; n++) {
            double[][] x = new double[horizon][];
            double[][] u = new double[horizon][];
            for (int t = 0; t < horizon; t++) {
                x[t] = gaussian(rnd, dX, 1.0);
                u[t] = gaussian(rnd, dU, 1.0);
            }
            acc.add(cost, x, u);
        }
        return acc.result();
    }

    /** A random controller with gains of size ~0.2 and covariance SPD with eigenvalues >= covFloor. */
    static LinearGaussianController randomController(Random rnd, int horizon, int dX, int dU, double covFloor) {
        Mat[] k = new Mat[horizon];
        double[][] o = new double[horizon][];
        Mat[] s = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            k[t] = gaussian(rnd, dU, dX, 0.2);
            o[t] = gaussian(rnd, dU, 0.2);
            s[t] = spd(rnd, dU, covFloor);
        }
        return LinearGaussianController.of(k, o, s);
    }

    /** A 4-state, 2-action, T = 20 problem with a random reference of unit-order covariance. */
    static Problem nontrivial(long seed) {
        Random rnd = new Random(seed);
        int horizon = 20;
        int dX = 4;
        int dU = 2;
        TrajectoryModel model = new TrajectoryModel(stableDynamics(rnd, horizon, dX, dU, 1e-3), x0(rnd, dX),
                quadraticCost(rnd, horizon, dX, dU));
        return new Problem(model, randomController(rnd, horizon, dX, dU, 0.5));
    }

    record Problem(TrajectoryModel model, LinearGaussianController reference) {
    }
}

package org.gps.core.policy;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PolicyLossTest {
    private static final int[] SIZES = {3, 6, 5, 2};

    private static PolicyLoss loss(Mlp net, double[][] obs, double[][] mu, double[][] prec, double[] w) {
        PolicyLoss l = new PolicyLoss(Mlp.parameterCount(SIZES));
        for (int i = 0; i < obs.length; i++) {
            l.add(net, obs[i], mu[i], prec[i], w[i]);
        }
        return l;
    }

    @Test
    void gradientMatchesCentralDifferences() {
        Random r = new Random(3);
        // Random biases too: with the zero biases of Mlp.initial, a layer whose inputs are all
        // inactive sits exactly on the ReLU kink, where a central difference is not a derivative.
        double[] params = new double[Mlp.parameterCount(SIZES)];
        for (int i = 0; i < params.length; i++) {
            params[i] = 0.7 * r.nextGaussian();
        }
        Mlp net = Mlp.of(SIZES, params);
        int n = 4;
        double[][] obs = new double[n][3];
        double[][] mu = new double[n][2];
        double[][] prec = new double[n][];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                obs[i][j] = r.nextGaussian();
            }
            mu[i] = new double[] {r.nextGaussian(), r.nextGaussian()};
            double a = 1 + r.nextDouble();
            double b = 0.3 * r.nextGaussian();
            double c = 1 + r.nextDouble();
            prec[i] = new double[] {a, b, b, c};
            w[i] = 0.5 + r.nextDouble();
        }
        double[] grad = loss(net, obs, mu, prec, w).meanGradient();
        double[] theta = net.parameters();
        double h = 1e-6;
        for (int p = 0; p < theta.length; p++) {
            double[] up = theta.clone();
            double[] down = theta.clone();
            up[p] += h;
            down[p] -= h;
            double fd = (loss(Mlp.of(SIZES, up), obs, mu, prec, w).meanLoss()
                    - loss(Mlp.of(SIZES, down), obs, mu, prec, w).meanLoss()) / (2 * h);
            // Central differences: truncation O(h^2) ~ 1e-12 and rounding ~ 1e-16 / h ~ 1e-10 of a
            // loss of order 1, unless a ReLU kink lies within h (probability ~ 1e-6 here).
            assertEquals(fd, grad[p], 1e-7 * Math.max(1, Math.abs(fd)), "parameter " + p);
        }
    }

    @Test
    void theLossWeighsEachActionDimensionByThePrecision() {
        // One layer, zero weights: f(o) = b = 0, so the residual is mu itself.
        Mlp net = Mlp.of(new int[] {1, 2}, new double[4]);
        double[] precision = {100, 0, 0, 1};
        PolicyLoss off0 = new PolicyLoss(4).add(net, new double[] {0}, new double[] {0.1, 0}, precision, 2.0);
        PolicyLoss off1 = new PolicyLoss(4).add(net, new double[] {0}, new double[] {0, 0.1}, precision, 2.0);
        // w r^T P r by hand: 2 * 100 * 0.01 = 2 and 2 * 1 * 0.01 = 0.02.
        assertEquals(2.0, off0.meanLoss(), 1e-12);
        assertEquals(0.02, off1.meanLoss(), 1e-12);
        // Gradient of the output biases: -2 w P r, so the precise dimension pulls 100x harder.
        double[] g0 = off0.meanGradient();
        double[] g1 = off1.meanGradient();
        // Layout: W (2 x 1) then b (2): the biases are parameters 2 and 3.
        assertEquals(-40.0, g0[2], 1e-12);
        assertEquals(0.0, g0[3], 0.0);
        assertEquals(-0.4, g1[3], 1e-12);
    }

    @Test
    void partialSumsMergeToTheSameMean() {
        Mlp net = Mlp.initial(SIZES, 1);
        double[] p = {1, 0.2, 0.2, 2};
        PolicyLoss all = new PolicyLoss(net.parameters().length);
        PolicyLoss a = new PolicyLoss(net.parameters().length);
        PolicyLoss b = new PolicyLoss(net.parameters().length);
        for (int i = 0; i < 6; i++) {
            double[] o = {i, -i, 0.5 * i};
            double[] mu = {Math.sin(i), Math.cos(i)};
            all.add(net, o, mu, p, 1.0);
            (i < 2 ? a : b).add(net, o, mu, p, 1.0);
        }
        a.merge(b);
        assertEquals(6, a.count());
        assertEquals(all.meanLoss(), a.meanLoss(), 1e-12 * Math.abs(all.meanLoss()));
        double[] ga = a.meanGradient();
        double[] gall = all.meanGradient();
        for (int i = 0; i < ga.length; i++) {
            assertEquals(gall[i], ga[i], 1e-12 * Math.max(1, Math.abs(gall[i])));
        }
    }

    @Test
    void theInitialNetworkDependsOnlyOnTheSeed() {
        assertArrayEquals(Mlp.initial(SIZES, 9).parameters(), Mlp.initial(SIZES, 9).parameters(), 0.0);
        assertTrue(Mlp.initial(SIZES, 9).parameters()[0] != Mlp.initial(SIZES, 10).parameters()[0]);
        // 3*6+6 + 6*5+5 + 5*2+2
        assertEquals(71, Mlp.parameterCount(SIZES));
    }

    @Test
    void normalisationCentresAndScalesAndFloorsTheSpread() {
        ObservationNormalizer n = ObservationNormalizer.fromMoments(new double[] {2, 5}, new double[] {4, 0});
        double[] at = n.apply(new double[] {6, 5.002});
        // (6 - 2) / 4 = 1; a constant dimension is scaled by 1 / 1e-3, not divided by 0.
        assertEquals(1.0, at[0], 1e-15);
        assertEquals(2.0, at[1], 1e-9);
    }
}

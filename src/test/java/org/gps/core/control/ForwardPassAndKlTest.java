package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ForwardPassAndKlTest {

    @Test
    void forwardPassOfAScalarSystemMatchesTheHandFormulas() {
        // x0 ~ N(m=2, s=0.5); u = K x + k + N(0, S) with K = -0.4, k = 0.3, S = 0.2;
        // x1 = a x + b u + c + N(0, q) with a = 0.9, b = 0.5, c = 0.1, q = 0.05.
        // E u0 = -0.4*2 + 0.3 = -0.5; Var u0 = 0.16*0.5 + 0.2 = 0.28; Cov(x0,u0) = -0.4*0.5 = -0.2.
        // E x1 = 0.9*2 + 0.5*(-0.5) + 0.1 = 1.65;
        // Var x1 = (a + bK)^2 s + b^2 S + q = 0.7^2*0.5 + 0.25*0.2 + 0.05 = 0.345.
        LinearGaussianDynamics dyn = LinearGaussianDynamics.of(new Mat[]{Mat.of(new double[][]{{0.9, 0.5}})},
                new double[][]{{0.1}}, new Mat[]{Mat.eye(1, 0.05)});
        LinearGaussianController ctrl = constant(2, -0.4, 0.3, 0.2);
        StateActionMarginals m = StateActionMarginals.forward(dyn,
                new InitialStateDistribution(new double[]{2.0}, Mat.eye(1, 0.5)), ctrl);
        // A handful of multiply-adds on O(1) numbers: 1e-14 is a few ulps.
        assertEquals(-0.5, m.mean(0)[1], 1e-14);
        assertEquals(0.28, m.covariance(0).get(1, 1), 1e-14);
        assertEquals(-0.2, m.covariance(0).get(0, 1), 1e-14);
        assertEquals(1.65, m.mean(1)[0], 1e-14);
        assertEquals(0.345, m.covariance(1).get(0, 0), 1e-14);
    }

    @Test
    void klOfAControllerWithItselfIsZero() {
        LqrProblems.Problem p = LqrProblems.nontrivial(31);
        StateActionMarginals m = StateActionMarginals.forward(p.model(), p.reference());
        double[] kl = ControllerKL.perStep(m, p.reference(), p.reference());
        for (double v : kl) {
            // Identical M, v, c and log det cancel term by term: exactly 0 (the clip makes any
            // rounding residue of either sign >= 0, and it is at most ~1e-15 here).
            assertEquals(0.0, v, 1e-12);
        }
    }

    @Test
    void klOfTwoScalarControllersMatchesTheGaussianClosedForm() {
        // x ~ N(m=0.7, v=0.3) under the new controller p = N(K1 x + k1, s1); reference
        // q = N(K2 x + k2, s2). E_x KL(p||q) = 0.5 [log(s2/s1) + s1/s2 - 1 + E(d^2)/s2] with
        // d = (K1-K2) x + (k1-k2), E(d^2) = ((K1-K2) m + k1-k2)^2 + (K1-K2)^2 v.
        double mean = 0.7;
        double var = 0.3;
        double k1 = 0.5;
        double o1 = -0.2;
        double s1 = 0.4;
        double k2 = -0.3;
        double o2 = 0.6;
        double s2 = 1.5;
        LinearGaussianController p = constant(1, k1, o1, s1);
        LinearGaussianController q = constant(1, k2, o2, s2);
        double uMean = k1 * mean + o1;
        Mat sigma = Mat.of(new double[][]{{var, k1 * var}, {k1 * var, k1 * k1 * var + s1}});
        StateActionMarginals m = StateActionMarginals.of(1, new double[][]{{mean, uMean}}, new Mat[]{sigma});
        double dk = k1 - k2;
        double dOff = o1 - o2;
        double ed2 = Math.pow(dk * mean + dOff, 2) + dk * dk * var;
        double expected = 0.5 * (Math.log(s2 / s1) + s1 / s2 - 1 + ed2 / s2);
        // Two algebraically equal forms of an O(1) number: agreement to 1e-12 is rounding.
        assertEquals(expected, ControllerKL.total(m, p, q), 1e-12);
        // And the reverse direction over the same x distribution, with q's own action marginal.
        Mat sigmaQ = Mat.of(new double[][]{{var, k2 * var}, {k2 * var, k2 * k2 * var + s2}});
        StateActionMarginals mq = StateActionMarginals.of(1, new double[][]{{mean, k2 * mean + o2}},
                new Mat[]{sigmaQ});
        double reverse = 0.5 * (Math.log(s1 / s2) + s2 / s1 - 1 + ed2 / s1);
        assertEquals(reverse, ControllerKL.total(mq, q, p), 1e-12);
    }

    @Test
    void laplaceCostOfAOneStepProblemMatchesTheGaussianExpectation() {
        // Step 0: y = [x; u] ~ N(mu, Sigma) from x ~ N(1, 0.5), u = 2x + 1 + N(0, 0.25):
        // mu = (1, 3), Sigma = [[0.5, 1], [1, 2.25]]. Cost 0.5 y^T diag(2, 4) y + (1, -1).y + 3:
        // E = 3 + 0.5 (2*0.5 + 4*2.25) + 0.5 (2*1 + 4*9) + (1 - 3) = 3 + 5 + 19 - 2 = 25.
        // Step 1 (the value types need T >= 2) has zero cost, so the total is 25 too.
        LinearGaussianController ctrl = constant(2, 2.0, 1.0, 0.25);
        QuadraticCostModel cost = QuadraticCostModel.of(1, new double[]{3, 0}, new double[][]{{1, -1}, {0, 0}},
                new Mat[]{Mat.diag(new double[]{2, 4}), Mat.zeros(2, 2)});
        LinearGaussianDynamics dyn = LinearGaussianDynamics.of(new Mat[]{Mat.of(new double[][]{{0.5, 0.5}})},
                new double[][]{{0}}, new Mat[]{Mat.eye(1, 0.1)});
        TrajectoryModel model = new TrajectoryModel(dyn,
                new InitialStateDistribution(new double[]{1.0}, Mat.eye(1, 0.5)), cost);
        // Sums of a few O(10) exact binary fractions: 1e-12 is rounding.
        assertEquals(25.0, LaplaceCost.perStep(model, ctrl)[0], 1e-12);
        assertEquals(25.0, LaplaceCost.estimate(dyn, model.initialState(), ctrl, cost), 1e-12);
    }

    static LinearGaussianController constant(int horizon, double gain, double offset, double var) {
        Mat[] k = new Mat[horizon];
        double[][] o = new double[horizon][];
        Mat[] s = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            k[t] = Mat.of(new double[][]{{gain}});
            o[t] = new double[]{offset};
            s[t] = Mat.eye(1, var);
        }
        return LinearGaussianController.of(k, o, s);
    }
}

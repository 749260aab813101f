package org.gps.core.dynamics;

import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeldOutScoreTest {
    /** out = G in + f + noise, in 2-D, out 2-D, Sigma = [[2, 0.5], [0.5, 1]]. */
    static final ConditionalGaussian MODEL = new ConditionalGaussian(
            Mat.of(new double[][] {{1.0, 0.5}, {-0.25, 2.0}}), new double[] {0.1, -0.3},
            Mat.of(new double[][] {{2.0, 0.5}, {0.5, 1.0}}));
    static final double[][] ROWS = {
        {1.0, 2.0, 2.5, 3.0},
        {-1.0, 0.5, -0.2, 1.1},
        {0.0, 0.0, 0.4, -0.9},
    };

    /**
     * The Gaussian NLL, written out for a 2 x 2 covariance: det = 2 - 0.25 = 1.75 and inverse
     * [[1, -0.5], [-0.5, 2]] / 1.75, so -log N(e; 0, Sigma) = log(2 pi) + log(1.75) / 2 +
     * (e1^2 - e1 e2 + 2 e2^2) / 3.5.
     */
    static double handNll(double e1, double e2) {
        return Math.log(2 * Math.PI) + 0.5 * Math.log(1.75) + (e1 * e1 - e1 * e2 + 2 * e2 * e2) / 3.5;
    }

    @Test
    void theNllOfAKnownGaussianIsTheHandComputation() {
        double[] fitMean = {0.5, 0.5};
        HeldOutScore s = HeldOutScore.ofStep(MODEL, fitMean, ROWS, 2);
        double nll = 0;
        double sq = 0;
        double spread = 0;
        for (double[] r : ROWS) {
            double e1 = r[2] - (1.0 * r[0] + 0.5 * r[1] + 0.1);
            double e2 = r[3] - (-0.25 * r[0] + 2.0 * r[1] - 0.3);
            nll += handNll(e1, e2);
            sq += e1 * e1 + e2 * e2;
            spread += (r[2] - 0.5) * (r[2] - 0.5) + (r[3] - 0.5) * (r[3] - 0.5);
        }
        // Values of order 1-10 through a 2 x 2 LAPACK Cholesky: agreement to rounding, far below 1e-10.
        assertEquals(nll / 3, s.nllPerTransition(), 1e-10);
        assertEquals(sq / 3, s.meanSquaredError(), 1e-12);
        assertEquals(Math.sqrt(sq / 3), s.meanRmse(), 1e-12);
        assertEquals(Math.sqrt(sq / spread), s.meanRelativeRmse(), 1e-12);
        assertEquals(1, s.steps());
        assertEquals(3, s.transitions());
        assertEquals(3, s.nllTransitions());
        assertEquals(0, s.jitteredSteps() + s.unscoredSteps());
    }

    @Test
    void stepsPoolIntoMeansPerTransitionAndPerStep() {
        HeldOutScore a = HeldOutScore.ofStep(MODEL, new double[] {0, 0}, ROWS, 2);
        HeldOutScore b = HeldOutScore.ofStep(MODEL, new double[] {0, 0}, new double[][] {ROWS[0]}, 2);
        HeldOutScore both = HeldOutScore.NONE.plus(a).plus(b);
        assertEquals(4, both.transitions());
        assertEquals(2, both.steps());
        // Per transition: the squared errors and NLLs of all four rows; per step: the two steps' rmse.
        assertEquals((a.squaredError() + b.squaredError()) / 4, both.meanSquaredError(), 0);
        assertEquals((a.nllSum() + b.nllSum()) / 4, both.nllPerTransition(), 0);
        assertEquals((a.meanRmse() + b.meanRmse()) / 2, both.meanRmse(), 0);
        assertEquals(Math.max(a.maxRmse(), b.maxRmse()), both.maxRmse(), 0);
        assertTrue(Double.isNaN(HeldOutScore.NONE.meanRmse()), "no step, no mean");
    }

    @Test
    void aSingularCovarianceIsScoredWithJitterAndAFiniteNll() {
        // Sigma = [[1, 1], [1, 1]]: rank 1, Cholesky fails; the smallest jitter that factors it
        // (1e-12 of its mean diagonal) is used and counted.
        ConditionalGaussian singular = new ConditionalGaussian(MODEL.gain(), MODEL.offset(),
                Mat.of(new double[][] {{1.0, 1.0}, {1.0, 1.0}}));
        HeldOutScore s = HeldOutScore.ofStep(singular, new double[] {0, 0}, ROWS, 2);
        assertEquals(1, s.jitteredSteps());
        assertEquals(0, s.unscoredSteps());
        assertTrue(Double.isFinite(s.nllPerTransition()), "nll " + s.nllPerTransition());
        // The squared error does not depend on Sigma.
        assertEquals(HeldOutScore.ofStep(MODEL, new double[] {0, 0}, ROWS, 2).squaredError(), s.squaredError(), 0);
    }

    @Test
    void aCovarianceThatIsNotFiniteLeavesTheStepWithoutALikelihoodNotNaN() {
        ConditionalGaussian broken = new ConditionalGaussian(MODEL.gain(), MODEL.offset(),
                Mat.of(new double[][] {{Double.NaN, 0}, {0, 1.0}}));
        HeldOutScore s = HeldOutScore.ofStep(broken, new double[] {0, 0}, ROWS, 2);
        assertEquals(1, s.unscoredSteps());
        assertEquals(0, s.nllTransitions());
        assertEquals(0.0, s.nllSum());
        assertFalse(Double.isNaN(s.squaredError()));
        // Pooled with a scored step, the mean is over the scored step's transitions only.
        HeldOutScore good = HeldOutScore.ofStep(MODEL, new double[] {0, 0}, ROWS, 2);
        assertEquals(good.nllPerTransition(), good.plus(s).nllPerTransition(), 0);
    }

    @Test
    void aStepWithoutRowsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> HeldOutScore.ofStep(MODEL, new double[2], new double[0][], 2));
    }
}

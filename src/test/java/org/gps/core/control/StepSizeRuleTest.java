package org.gps.core.control;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepSizeRuleTest {
    private static final TrajOptOptions O = TrajOptOptions.defaults();
    /** Each number below is one or two roundings of exact decimal arithmetic. */
    private static final double TOL = 1e-12;

    @Test
    void multiplierIsPredictedOverTwiceTheShortfall() {
        // pred 2, act 1.5: mult = 2 / (2 * 0.5) = 2; step 1 -> 2.
        StepSizeUpdate u = StepSizeRule.update(2.0, 1.5, 1.0, O);
        assertEquals(2.0, u.multiplier(), TOL);
        assertEquals(2.0, u.stepMult(), TOL);
        assertEquals(2.0, u.predictedImprovement(), 0);
        assertEquals(1.5, u.actualImprovement(), 0);
        // pred 3, act 0: mult = 3 / 6 = 0.5; step 0.8 -> 0.4.
        assertEquals(0.4, StepSizeRule.update(3.0, 0.0, 0.8, O).stepMult(), TOL);
    }

    @Test
    void multiplierIsClippedToTenthAndFive() {
        // pred 1, act 0.95: 1 / (2 * 0.05) = 10 -> clipped to 5; step 1 -> 5.
        StepSizeUpdate up = StepSizeRule.update(1.0, 0.95, 1.0, O);
        assertEquals(5.0, up.multiplier(), TOL);
        assertEquals(5.0, up.stepMult(), TOL);
        // pred 1, act -9: 1 / (2 * 10) = 0.05 -> clipped to 0.1; step 1 -> 0.1.
        StepSizeUpdate down = StepSizeRule.update(1.0, -9.0, 1.0, O);
        assertEquals(0.1, down.multiplier(), TOL);
        assertEquals(0.1, down.stepMult(), TOL);
        // A predicted worsening, pred -1, act -0.5: gap -0.5 -> floor 1e-4, mult -5000 -> 0.1.
        assertEquals(0.1, StepSizeRule.update(-1.0, -0.5, 1.0, O).multiplier(), TOL);
    }

    @Test
    void shortfallIsFlooredAtOneTenThousandth() {
        // act > pred (better than predicted): gap -0.001 -> 1e-4; mult = 0.001 / 2e-4 = 5.
        assertEquals(5.0, StepSizeRule.update(0.001, 0.002, 1.0, O).multiplier(), TOL);
        // pred 2e-5, act 1: mult = 2e-5 / 2e-4 = 0.1, exactly at the lower clip.
        assertEquals(0.1, StepSizeRule.update(2e-5, 1.0, 1.0, O).multiplier(), TOL);
        // pred 1e-4, act 5e-5: gap 5e-5 -> 1e-4; mult = 1e-4 / 2e-4 = 0.5.
        assertEquals(0.5, StepSizeRule.update(1e-4, 5e-5, 1.0, O).multiplier(), TOL);
    }

    @Test
    void stepMultiplierIsClippedToItsBounds() {
        // step 6 * mult 2 = 12 -> max_step_mult 10.
        assertEquals(10.0, StepSizeRule.update(2.0, 1.5, 6.0, O).stepMult(), TOL);
        // step 0.05 * mult 0.1 = 0.005 -> min_step_mult 0.01.
        assertEquals(0.01, StepSizeRule.update(1.0, -9.0, 0.05, O).stepMult(), TOL);
        // Custom bounds [0.5, 3]: step 1 * 5 = 5 -> 3; step 1 * 0.1 -> 0.5.
        TrajOptOptions narrow = O.withStepMultBounds(0.5, 3.0);
        assertEquals(3.0, StepSizeRule.update(1.0, 0.95, 1.0, narrow).stepMult(), TOL);
        assertEquals(0.5, StepSizeRule.update(1.0, -9.0, 1.0, narrow).stepMult(), TOL);
    }

    @Test
    void improvementsComeFromLaplaceCostsOfTheRightControllerAndModel() {
        LqrProblems.Problem prev = LqrProblems.nontrivial(51);
        LqrProblems.Problem cur = LqrProblems.nontrivial(52);
        TrajectoryModel curModel = new TrajectoryModel(cur.model().dynamics(), cur.model().initialState(),
                prev.model().cost());
        LinearGaussianController next = TrajectoryOptimizer.optimize(prev.model(), prev.reference(), 1.0, 1.0, O)
                .controller();
        StepSizeUpdate u = StepSizeRule.update(prev.reference(), prev.model(), next, curModel, 1.0, O);
        double before = LaplaceCost.estimate(prev.model(), prev.reference());
        assertEquals(before - LaplaceCost.estimate(prev.model(), next), u.predictedImprovement(), 1e-9);
        assertEquals(before - LaplaceCost.estimate(curModel, next), u.actualImprovement(), 1e-9);
        // The C-step minimised the cost under the previous model, so it predicts an improvement.
        assertTrue(u.predictedImprovement() > 0);
        // Same model twice: actual = predicted, the shortfall is floored, and the step grows 5x.
        StepSizeUpdate same = StepSizeRule.update(prev.reference(), prev.model(), next, prev.model(), 1.0, O);
        assertEquals(5.0, same.stepMult(), TOL);
    }
}

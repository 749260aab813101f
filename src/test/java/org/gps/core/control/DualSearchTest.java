package org.gps.core.control;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DualSearchTest {

    @Test
    void dualSearchEndsWithKlWithinTenPercentOfItsTarget() {
        for (long seed = 41; seed < 46; seed++) {
            LqrProblems.Problem p = LqrProblems.nontrivial(seed);
            TrajOptResult r = TrajectoryOptimizer.optimize(p.model(), p.reference(), 1.0, 1.0,
                    TrajOptOptions.defaults());
            // epsilon = kl_step * step_mult * T = 0.2 * 1 * 20.
            assertEquals(4.0, r.klTarget(), 1e-12);
            assertTrue(r.converged(), "seed " + seed);
            // The stopping rule itself: |KL - epsilon| < 0.1 epsilon.
            assertEquals(r.klTarget(), r.kl(), 0.1 * r.klTarget(), "seed " + seed);
            assertTrue(r.rounds() <= 50);
            // The reported KL is the one of the returned controller, recomputed independently.
            double kl = ControllerKL.total(StateActionMarginals.forward(p.model(), r.controller()), r.controller(),
                    p.reference());
            assertEquals(kl, r.kl(), 1e-12 * kl);
            assertEquals(r.kl(), Arrays.stream(r.stepKl()).sum(), 1e-12 * kl);
        }
    }

    @Test
    void dualSearchFindsTheTargetFromFarAwayStartingEtas() {
        LqrProblems.Problem p = LqrProblems.nontrivial(47);
        for (double start : new double[]{1e-7, 1e-3, 1e3, 1e12}) {
            TrajOptResult r = TrajectoryOptimizer.optimize(p.model(), p.reference(), start, 1.0,
                    TrajOptOptions.defaults());
            assertTrue(r.converged(), "start " + start + ": KL " + r.kl() + " after " + r.rounds() + " rounds");
            assertEquals(r.klTarget(), r.kl(), 0.1 * r.klTarget());
        }
    }

    @Test
    void returnedEtaReproducesTheReturnedController() {
        LqrProblems.Problem p = LqrProblems.nontrivial(48);
        TrajOptResult r = TrajectoryOptimizer.optimize(p.model(), p.reference(), 1.0, 1.0, TrajOptOptions.defaults());
        LqrSolution again = LqrBackwardPass.solve(p.model().dynamics(), p.model().cost(), p.reference(), r.eta(),
                TrajOptOptions.defaults());
        assertEquals(r.controller(), again.controller());
    }

    @Test
    void largerStepMultiplierGivesLargerKlAndSmallerEta() {
        LqrProblems.Problem p = LqrProblems.nontrivial(49);
        TrajOptResult small = TrajectoryOptimizer.optimize(p.model(), p.reference(), 1.0, 0.5,
                TrajOptOptions.defaults());
        TrajOptResult large = TrajectoryOptimizer.optimize(p.model(), p.reference(), 1.0, 2.0,
                TrajOptOptions.defaults());
        assertEquals(2.0, small.klTarget(), 1e-12);
        assertEquals(8.0, large.klTarget(), 1e-12);
        assertTrue(small.converged() && large.converged());
        assertTrue(large.kl() > small.kl() && large.eta() < small.eta());
    }

    @Test
    void nonPositiveDefiniteActionCostRaisesEtaAndStillEndsWell() {
        // Negative action weight -0.5 (see LqrBackwardPassTest): every eta below about 0.5 is
        // raised by the backward pass, and the search must still meet its constraint.
        LqrBackwardPassTest.NegativeActionProblem np = LqrBackwardPassTest.NegativeActionProblem.build(10, -0.5);
        TrajectoryModel model = new TrajectoryModel(np.dynamics, np.x0, np.cost);
        TrajOptResult r = TrajectoryOptimizer.optimize(model, np.reference, 0.01, 1.0, TrajOptOptions.defaults());
        for (int t = 0; t < 10; t++) {
            assertTrue(r.controller().gain(t).isFinite() && r.controller().covariance(t).isFinite());
        }
        assertTrue(r.eta() > 0.45, "eta must have been raised past the non-PD region, got " + r.eta());
        assertTrue(r.converged(), "KL " + r.kl() + " / " + r.klTarget());
        assertEquals(r.klTarget(), r.kl(), 0.1 * r.klTarget());
    }

    @Test
    void perStepConstraintsEndWithEveryStepWithinTenPercent() {
        TrajOptOptions o = TrajOptOptions.defaults().withConsPerStep(true);
        for (long seed = 41; seed < 44; seed++) {
            LqrProblems.Problem p = LqrProblems.nontrivial(seed);
            TrajOptResult r = TrajectoryOptimizer.optimize(p.model(), p.reference(), 1.0, 1.0, o);
            assertTrue(r.converged(), "seed " + seed + ": " + Arrays.toString(r.stepKl()));
            assertEquals(20, r.stepEtas().length);
            for (double kl : r.stepKl()) {
                // Per-step target kl_step * step_mult = 0.2.
                assertEquals(0.2, kl, 0.02, "seed " + seed);
            }
            assertTrue(r.rounds() <= o.perStepBracketRounds() + o.perStepAdamRounds());
        }
    }

    @Test
    void perStepEtasResumeFromTheLastCStep() {
        TrajOptOptions o = TrajOptOptions.defaults().withConsPerStep(true);
        LqrProblems.Problem p = LqrProblems.nontrivial(42);
        TrajOptResult first = TrajectoryOptimizer.optimize(p.model(), p.reference(), 1.0, 1.0, o);
        TrajOptResult again = TrajectoryOptimizer.optimize(p.model(), p.reference(), first.stepEtas(), 1.0, o);
        // Starting at the etas that already satisfied every constraint: one round suffices.
        assertEquals(1, again.rounds());
        assertThrows(IllegalArgumentException.class, () -> TrajectoryOptimizer.optimize(p.model(), p.reference(),
                first.stepEtas(), 1.0, TrajOptOptions.defaults()));
    }
}

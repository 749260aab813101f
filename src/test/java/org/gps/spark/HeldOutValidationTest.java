package org.gps.spark;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.storage.StorageLevel;
import org.gps.core.dynamics.DynamicsOptions;
import org.gps.core.sample.Trajectory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeldOutValidationTest {
    /** Condition c has c + 1 trajectories (1..25), spread over two iterations. */
    static List<TrajectoryGroups.Key> keys() {
        List<TrajectoryGroups.Key> keys = new ArrayList<>();
        for (int c = 0; c < 25; c++) {
            for (int s = 0; s <= c; s++) {
                keys.add(new TrajectoryGroups.Key(s % 2, c, s));
            }
        }
        return keys;
    }

    @Test
    void theSplitIsDeterministicNeverEmptyNorWholeAndLeavesTwoToFit() {
        HeldOutValidation.Split a = HeldOutValidation.split(keys(), 7);
        List<TrajectoryGroups.Key> reversed = new ArrayList<>(keys());
        java.util.Collections.reverse(reversed);
        HeldOutValidation.Split again = HeldOutValidation.split(reversed, 7);
        assertEquals(a, again, "the same seed holds out the same trajectories, whatever the order of the keys");
        for (int c = 0; c < 25; c++) {
            int n = c + 1;
            assertEquals(n, a.trajectories().get(c));
            List<TrajectoryGroups.Key> held = a.heldOut().get(c);
            if (n < HeldOutValidation.MIN_TRAJECTORIES) {
                assertNull(held, "condition of " + n + " is not scored");
                continue;
            }
            // round(0.2 n), at least 1, at most n - 2.
            int expected = Math.min(n - 2, Math.max(1, (int) Math.round(0.2 * n)));
            assertEquals(expected, held.size(), "n = " + n);
            assertTrue(held.size() >= 1 && n - held.size() >= 2, "n = " + n);
            assertEquals(held.size(), new HashSet<>(held).size());
            for (TrajectoryGroups.Key k : held) {
                assertEquals(c, k.condition());
            }
        }
        assertEquals(1, a.heldOut().get(2).size());
        assertEquals(2, a.heldOut().get(9).size());
        assertEquals(5, a.heldOut().get(24).size());
        // Another seed picks other trajectories: over 23 scored conditions, the chance that two
        // independent hashes agree on all of them is far below 1e-10.
        HeldOutValidation.Split b = HeldOutValidation.split(keys(), 8);
        assertNotEquals(a.heldOut(), b.heldOut());
    }

    @Test
    void heldOutErrorOfAnExactlyLinearNoiselessSystemIsNearZero() {
        // x' = A x + B u exactly, states and actions of spread 10: each validation fit recovers A
        // and B up to the 1e-6 ridges' bias of ~1e-8 (DynamicsFittingTest), so a held-out
        // prediction misses by ~1e-8 x |[x; u]| ~ 1e-7 against a spread of x' of ~10: a relative
        // rmse of ~1e-8 (measured 2-3e-8, mse 4-7e-13), asserted below 1e-6 (the in-sample
        // test's bound) and the mse below 1e-10; a fit that missed A or B by even 1e-4 fails both.
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj = TrajectoryGroups.trajectories(
                DynamicsFittingTest.linearRollouts(SparkTestSession.get(), 2, 10, 15, 10))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            HeldOutValidation.Result r = HeldOutValidation.run(traj, DynamicsFitting.CurrentSet.all(),
                    DynamicsOptions.defaults(1), Map.of(), 1, DynamicsFitting.Source.UNNAMED, 4);
            assertEquals(2, r.conditions().size());
            Set<TrajectoryGroups.Key> held = new HashSet<>();
            for (HeldOutValidation.ConditionResult c : r.conditions()) {
                assertNull(c.reason());
                assertEquals(10, c.trajectories());
                assertEquals(2, c.heldOut().size());
                held.addAll(c.heldOut());
                assertEquals(14, c.score().steps());
                assertEquals(2 * 14, c.score().transitions());
                assertTrue(c.score().meanRelativeRmse() < 1e-6, "relative " + c.score().meanRelativeRmse());
                assertTrue(c.score().meanSquaredError() < 1e-10, "mse " + c.score().meanSquaredError());
                assertTrue(Double.isFinite(c.score().nllPerTransition()));
                assertEquals(0, c.score().unscoredSteps());
            }
            assertEquals(HeldOutValidation.split(traj.keys().collect(), 4).keys(), held);
            assertEquals(4 * 14, r.overall().transitions());
            assertTrue(r.overall().meanRelativeRmse() < 1e-6);
        } finally {
            traj.unpersist(false);
        }
    }

    @Test
    void conditionsTooSmallToHoldOutAreReportedWithTheirReasonAndNoScore() {
        JavaPairRDD<TrajectoryGroups.Key, Trajectory> traj = TrajectoryGroups.trajectories(
                DynamicsFittingTest.linearRollouts(SparkTestSession.get(), 1, 2, 6, 10))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            HeldOutValidation.Result r = HeldOutValidation.run(traj, DynamicsFitting.CurrentSet.all(),
                    DynamicsOptions.defaults(1), Map.of(), 1, DynamicsFitting.Source.UNNAMED, 4);
            HeldOutValidation.ConditionResult c = r.conditions().get(0);
            assertNull(c.score());
            assertTrue(c.heldOut().isEmpty());
            assertEquals("2 trajectories to fit; a hold-out needs at least 3 (2 to fit, 1 to score)", c.reason());
            assertEquals(0, r.overall().steps());
            assertFalse(Double.isFinite(r.overall().meanRmse()), "no overall score");
        } finally {
            traj.unpersist(false);
        }
    }
}

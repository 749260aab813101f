package org.gps.core.env;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tolerance 1e-15 on values of order 0.1-1: a handful of roundings of numbers that size. */
class PointMassTest {
    private static final double TOL = 1e-15;

    @Test
    void forceChangesVelocityByForceOverMassTimesDt() {
        PointMass pm = new PointMass(0.05, 2.0, 0.0, new double[] {0, 0}, 1e-3, new double[4]);
        pm.reset(new double[] {0, 0, 0, 0}, 0L);
        pm.step(new double[] {1.0, -3.0});
        // v' = F / m dt = [0.5, -1.5] * 0.05 = [0.025, -0.075]; p' = v' dt = [0.00125, -0.00375]
        assertArrayEquals(new double[] {0.00125, -0.00375, 0.025, -0.075}, pm.state(), TOL);
    }

    @Test
    void withoutForceItCoastsAtConstantVelocity() {
        PointMass pm = new PointMass();
        pm.reset(new double[] {1.0, 2.0, 0.5, -1.0}, 0L);
        for (int t = 0; t < 10; t++) {
            pm.step(new double[] {0, 0});
        }
        // 10 steps of 0.05 s = 0.5 s: p = [1 + 0.25, 2 - 0.5]; accumulated rounding ~1e-15.
        assertArrayEquals(new double[] {1.25, 1.5, 0.5, -1.0}, pm.state(), 1e-14);
    }

    @Test
    void dampingShrinksVelocityByOneMinusDampingDtOverMass() {
        PointMass pm = new PointMass(0.05, 1.0, 2.0, new double[] {0, 0}, 0.0, new double[4]);
        pm.reset(new double[] {0, 0, 1.0, -2.0}, 0L);
        pm.step(new double[] {0, 0});
        // v' = v (1 - 2 * 0.05) = 0.9 v; p' = 0.05 v'
        assertArrayEquals(new double[] {0.045, -0.09, 0.9, -1.8}, pm.state(), TOL);
    }

    @Test
    void rewardIsMinusSquaredDistanceMinusActionPenalty() {
        PointMass pm = new PointMass(0.05, 1.0, 0.0, new double[] {1.0, -1.0}, 0.01, new double[4]);
        // |p - target|^2 = (2 - 1)^2 + (1 + 1)^2 = 5; 0.01 |u|^2 = 0.01 * 25 = 0.25
        assertEquals(-5.25, pm.reward(new double[] {2, 1, 7, 7}, new double[] {3, 4}), TOL);
    }

    @Test
    void initialStateAcceptsPositionOnlyOrFullState() {
        PointMass pm = new PointMass();
        assertArrayEquals(new double[] {1, 2, 0, 0}, pm.initialState(new double[] {1, 2}), 0.0);
        assertArrayEquals(new double[] {1, 2, 3, 4}, pm.initialState(new double[] {1, 2, 3, 4}), 0.0);
        assertThrows(org.gps.core.BadInputException.class, () -> pm.initialState(new double[] {1, 2, 3}, "x0"));
    }

    @Test
    void noisyStepsReproduceFromTheSeed() {
        PointMass pm = new PointMass(0.05, 1.0, 0.0, new double[] {0, 0}, 1e-3, new double[] {0.01, 0.01, 0.1, 0.1});
        double[] a = run(pm, 5L);
        double[] b = run(pm, 5L);
        assertArrayEquals(a, b, 0.0);
    }

    private static double[] run(PointMass pm, long seed) {
        pm.reset(new double[] {0, 0, 0, 0}, seed);
        for (int t = 0; t < 10; t++) {
            pm.step(new double[] {1, 1});
        }
        return pm.state();
    }
}

package org.gps.core.env;

import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwoLinkArmTest {

    private static TwoLinkArm arm(double gravity, double damping, double dt) {
        return new TwoLinkArm(new double[] {1.0, 1.0}, new double[] {1.0, 1.0}, gravity, damping, dt,
                new double[] {1.0, 1.0}, 1e-3, new double[4]);
    }

    @Test
    void forwardKinematicsAtKnownAngles() {
        TwoLinkArm arm = new TwoLinkArm(new double[] {1.0, 0.5}, new double[] {1.0, 1.0}, 0, 0, 0.05,
                new double[] {1, 1}, 1e-3, new double[4]);
        // Tolerance 1e-15: cos(pi/2) = 6e-17 and similar roundings of unit-size numbers.
        assertArrayEquals(new double[] {1.5, 0.0}, arm.endEffector(0, 0), 1e-15);
        assertArrayEquals(new double[] {0.0, 1.5}, arm.endEffector(Math.PI / 2, 0), 1e-15);
        assertArrayEquals(new double[] {1.0, 0.5}, arm.endEffector(0, Math.PI / 2), 1e-15);
        assertArrayEquals(new double[] {0.5, 0.0}, arm.endEffector(0, Math.PI), 1e-15);
        // Inverse kinematics lands back on the point (acos/atan2 round to ~1e-16).
        double[] q = arm.inverseKinematics(0.7, 0.9);
        assertArrayEquals(new double[] {0.7, 0.9}, arm.endEffector(q[0], q[1]), 1e-12);
        assertTrue(q[1] >= 0 && q[1] <= Math.PI);
    }

    @Test
    void massMatrixMatchesHandValuesForUnitRods() {
        // Unit rods: lc = 1/2, I = 1/12. At q2 = 0:
        //   M11 = 1/4 + 1/12 + (1 + 1/4 + 2 * 1/2) + 1/12 = 8/3
        //   M12 = 1/4 + 1/2 + 1/12 = 5/6,   M22 = 1/4 + 1/12 = 1/3
        Mat m = arm(0, 0, 0.05).massMatrix(0.0);
        assertEquals(8.0 / 3, m.get(0, 0), 1e-15);
        assertEquals(5.0 / 6, m.get(0, 1), 1e-15);
        assertEquals(5.0 / 6, m.get(1, 0), 1e-15);
        assertEquals(1.0 / 3, m.get(1, 1), 1e-15);
        // At q2 = pi/2 the coupling term vanishes: M11 = 8/3 - 1 = 5/3, M12 = 1/3.
        Mat m90 = arm(0, 0, 0.05).massMatrix(Math.PI / 2);
        assertEquals(5.0 / 3, m90.get(0, 0), 1e-15);
        assertEquals(1.0 / 3, m90.get(0, 1), 1e-15);
    }

    @Test
    void freeArmConservesKineticEnergyAndBaseMomentumToFirstOrderInDt() {
        // No torque, gravity or damping: the kinetic energy and the momentum conjugate to q1
        // (p1 = M11 dq1 + M12 dq2; q1 is cyclic) are invariants of the true motion. Semi-implicit
        // Euler is first order, so over a fixed 1 s horizon their drift should shrink ~10x when dt
        // shrinks 10x. Measured: energy 2.8e-3 at dt = 0.05, 3.0e-4 at dt = 0.005; p1 4.5e-3, 4.4e-4.
        // A wrong Coriolis term would make the drift stay large as dt shrinks.
        double[] x0 = {0.3, 0.8, 1.0, -0.5};
        double[] coarse = drift(arm(0, 0, 0.05), x0, 20);
        double[] fine = drift(arm(0, 0, 0.005), x0, 200);
        assertTrue(coarse[0] < 0.01, "energy drift " + coarse[0]);
        assertTrue(coarse[1] < 0.01, "momentum drift " + coarse[1]);
        assertTrue(fine[0] < coarse[0] / 5, "energy drift " + fine[0] + " vs " + coarse[0]);
        assertTrue(fine[1] < coarse[1] / 5, "momentum drift " + fine[1] + " vs " + coarse[1]);
    }

    @Test
    void gravityTorqueHoldsTheArmStillAndDampingDrainsEnergy() {
        // With gravity g = 9.81 at q = (0, 0) (both links horizontal), the static torques are
        //   tau1 = g ((m1 lc1 + m2 l1) + m2 lc2) = 9.81 * (0.5 + 1 + 0.5) = 19.62, tau2 = g m2 lc2 = 4.905.
        TwoLinkArm heavy = arm(9.81, 0, 0.05);
        double[] ddq = heavy.acceleration(new double[] {0, 0, 0, 0}, new double[] {19.62, 4.905});
        assertArrayEquals(new double[] {0, 0}, ddq, 1e-13);
        // Without the holding torque it falls: q1 accelerates downward.
        assertTrue(heavy.acceleration(new double[] {0, 0, 0, 0}, new double[] {0, 0})[0] < 0);

        TwoLinkArm damped = arm(0, 0.5, 0.05);
        damped.reset(new double[] {0.3, 0.8, 1.0, -0.5}, 0L);
        double previous = damped.kineticEnergy(damped.state());
        for (int t = 0; t < 40; t++) {
            damped.step(new double[] {0, 0});
            double now = damped.kineticEnergy(damped.state());
            assertTrue(now < previous, "energy rose at step " + t);
            previous = now;
        }
    }

    @Test
    void observationAppendsEndEffectorMinusTargetAndRewardUsesIt() {
        TwoLinkArm arm = arm(0, 0, 0.05);
        arm.reset(new double[] {0, Math.PI / 2, 0.1, 0.2}, 0L);
        // ee at (0, pi/2) = (1, 1) for unit links: exactly the default target (1, 1).
        double[] o = arm.observation();
        assertEquals(6, o.length);
        assertArrayEquals(new double[] {0, Math.PI / 2, 0.1, 0.2, 0, 0}, o, 1e-15);
        // At q = (0, 0): ee = (2, 0), distance^2 to (1, 1) = 2; torque penalty 1e-3 * (1 + 4).
        assertEquals(-2.005, arm.reward(new double[] {0, 0, 0, 0}, new double[] {1, 2}), 1e-15);
    }

    private static double[] drift(TwoLinkArm arm, double[] x0, int steps) {
        arm.reset(x0, 0L);
        double e0 = arm.kineticEnergy(x0);
        double p0 = baseMomentum(arm, x0);
        double maxE = 0;
        double maxP = 0;
        for (int t = 0; t < steps; t++) {
            arm.step(new double[] {0, 0});
            double[] x = arm.state();
            maxE = Math.max(maxE, Math.abs(arm.kineticEnergy(x) - e0) / e0);
            maxP = Math.max(maxP, Math.abs(baseMomentum(arm, x) - p0) / Math.abs(p0));
        }
        return new double[] {maxE, maxP};
    }

    private static double baseMomentum(TwoLinkArm arm, double[] x) {
        Mat m = arm.massMatrix(x[1]);
        return m.get(0, 0) * x[2] + m.get(0, 1) * x[3];
    }
}

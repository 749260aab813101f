package org.gps.core.env;

import org.gps.core.BadInputException;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins Pendulum-v0 (docs/algorithm.md section 12) to values worked out by hand from Gym's formulas,
 * with g = 10, m = 1, l = 1, dt = 0.05, so -3g/(2l) = -15 and 3/(m l^2) = 3.
 *
 * <p>Tolerance 1e-12: the hand values carry ~16 digits and the only inexact operations are a few
 * roundings and one {@code sin}/{@code cos} per step (Java's and C's may differ in the last ulp),
 * all on numbers of size &lt;= 10, so errors stay near 1e-15.
 */
class PendulumTest {
    private static final double TOL = 1e-12;

    @Test
    void fullTorqueFromHangingDownMatchesThreeHandComputedSteps() {
        Pendulum p = new Pendulum();
        p.resetToAngle(Math.PI, 0.0);
        double[] u = {2.0};

        // Step 1 from th = pi, thdot = 0: sin(th + pi) = sin(2 pi) = 0, so
        //   thdot1 = 0 + (-15 * 0 + 3 * 2) * 0.05 = 0.3
        //   th1    = pi + 0.3 * 0.05 = pi + 0.015
        // reward on the pre-step state: angle_normalize(pi) = -pi (the interval is [-pi, pi)),
        //   r0 = -(pi^2 + 0.1 * 0 + 0.001 * 4) = -(9.869604401089358 + 0.004) = -9.873604401089358
        assertEquals(-9.873604401089358, p.reward(p.state(), u), TOL);
        assertEquals(-9.873604401089358, p.reward(Math.PI, 0.0, 2.0), TOL);
        p.step(u);
        assertEquals(Math.PI + 0.015, p.angle(), TOL);
        assertEquals(0.3, p.angularVelocity(), TOL);
        // x1 = [cos(pi + 0.015), sin(pi + 0.015), 0.3] = [-cos 0.015, -sin 0.015, 0.3]
        assertArrayEquals(new double[] {-0.9998875021093592, -0.014999437506328093, 0.3}, p.state(), TOL);

        // Step 2: sin(th1 + pi) = sin(2 pi + 0.015) = sin 0.015 = 0.0149994375063281
        //   thdot2 = 0.3 + (-15 * 0.0149994375063281 + 6) * 0.05 = 0.3 + 0.2887504218702539 = 0.5887504218702539
        //   th2    = pi + 0.015 + 0.5887504218702539 * 0.05 = pi + 0.0444375210935127
        // r1 on th1: angle_normalize(pi + 0.015) = -pi + 0.015,
        //   r1 = -((pi - 0.015)^2 + 0.1 * 0.09 + 0.004) = -(9.775581621481660 + 0.009 + 0.004) = -9.78858162148166
        assertEquals(-9.78858162148166, p.reward(p.state(), u), TOL);
        p.step(u);
        assertEquals(Math.PI + 0.0444375210935127, p.angle(), TOL);
        assertEquals(0.588750421870254, p.angularVelocity(), TOL);

        // Step 3: sin(0.0444375210935127) = 0.0444228974583927
        //   thdot3 = 0.588750421870254 + (6 - 15 * 0.0444228974583927) * 0.05 = 0.588750421870254 + 0.2666828269062056
        //          = 0.8554332487764596
        //   th3    = pi + 0.0444375210935127 + 0.8554332487764596 * 0.05 = pi + 0.0872091835323357
        // r2 = -((pi - 0.0444375210935127)^2 + 0.1 * 0.588750421870254^2 + 0.004) = -9.631032620673293
        assertEquals(-9.631032620673293, p.reward(p.state(), u), TOL);
        p.step(u);
        assertEquals(Math.PI + 0.0872091835323357, p.angle(), TOL);
        assertEquals(0.8554332487764596, p.angularVelocity(), TOL);
        assertArrayEquals(new double[] {-0.9961996886572009, -0.08709868150147855, 0.8554332487764596}, p.state(), TOL);
    }

    @Test
    void speedAboveEightIsClippedAfterTheAngleIntegratesTheUnclippedSpeed() {
        Pendulum p = new Pendulum();
        // th = pi/2, thdot = 7.9, u = 2: sin(pi/2 + pi) = -1, so
        //   thdot' = 7.9 + (15 + 6) * 0.05 = 8.95 > 8
        //   th'    = pi/2 + 8.95 * 0.05 = pi/2 + 0.4475   (v0; v1 would give pi/2 + 8 * 0.05 = pi/2 + 0.4)
        //   thdot' = clip(8.95) = 8
        // reward on the pre-step state: -((pi/2)^2 + 0.1 * 7.9^2 + 0.004) = -(2.4674011002723395 + 6.241 + 0.004)
        assertEquals(-8.71240110027234, p.reward(Math.PI / 2, 7.9, 2.0), TOL);
        p.resetToAngle(Math.PI / 2, 7.9);
        p.step(new double[] {2.0});
        assertEquals(Math.PI / 2 + 0.4475, p.angle(), TOL);
        assertEquals(8.0, p.angularVelocity(), 0.0);

        // Mirror image on the negative side: th = -pi/2, thdot = -7.9, u = -2: sin(pi/2) = 1,
        //   thdot' = -7.9 + (-15 - 6) * 0.05 = -8.95, th' = -pi/2 - 0.4475, thdot' clipped to -8.
        p.resetToAngle(-Math.PI / 2, -7.9);
        p.step(new double[] {-2.0});
        assertEquals(-Math.PI / 2 - 0.4475, p.angle(), TOL);
        assertEquals(-8.0, p.angularVelocity(), 0.0);
    }

    @Test
    void torqueOutsideTwoIsClippedInTheStepAndInTheReward() {
        Pendulum p = new Pendulum();
        // From upright at rest, u = 5 acts as u = 2: sin(0 + pi) = 1.2e-16 (rounding of pi), so
        //   thdot' = (-15 * 1.2e-16 + 6) * 0.05 = 0.3 (to 1e-16), th' = 0.3 * 0.05 = 0.015.
        p.resetToAngle(0.0, 0.0);
        p.step(new double[] {5.0});
        assertEquals(0.015, p.angle(), TOL);
        assertEquals(0.3, p.angularVelocity(), TOL);
        // u = -7 acts as -2: thdot' = -0.3, th' = -0.015.
        p.resetToAngle(0.0, 0.0);
        p.step(new double[] {-7.0});
        assertEquals(-0.015, p.angle(), TOL);
        assertEquals(-0.3, p.angularVelocity(), TOL);
        // Reward with the clipped torque: -(0 + 0 + 0.001 * 2^2) = -0.004, not -0.001 * 25 = -0.025.
        assertEquals(-0.004, p.reward(Pendulum.stateOf(0, 0), new double[] {5.0}), TOL);
        assertEquals(-0.004, p.reward(Pendulum.stateOf(0, 0), new double[] {-7.0}), TOL);
    }

    @Test
    void appliedActionIsTheCommandClippedToTheTorqueLimitItsBoundsDeclare() {
        Pendulum p = new Pendulum(10, 1, 1, 0.05, 8, 1.5);
        assertArrayEquals(new double[] {-1.5}, p.actionBounds().orElseThrow().lower(), 0.0);
        assertArrayEquals(new double[] {1.5}, p.actionBounds().orElseThrow().upper(), 0.0);
        assertArrayEquals(new double[] {1.5}, p.appliedAction(new double[] {5.0}), 0.0);
        assertArrayEquals(new double[] {-1.5}, p.appliedAction(new double[] {-7.0}), 0.0);
        assertArrayEquals(new double[] {0.25}, p.appliedAction(new double[] {0.25}), 0.0);
        // An environment without limits applies every command as it is.
        assertTrue(Environments.create("linear", java.util.Map.of()).actionBounds().isEmpty());
    }

    @Test
    void rewardIsOnThePreStepStateWithTheAngleWrappedIntoMinusPiPi() {
        Pendulum p = new Pendulum();
        // th = 7 wraps to 7 - 2 pi = 0.7168146928204138: reward = -(0.7168146928204138^2 + 0.1 * 1^2 + 0)
        //   = -(0.5138233038432241 + 0.1) = -0.6138233038432241
        assertEquals(-0.6138233038432241, p.reward(7.0, 1.0, 0.0), TOL);
        double[] before = Pendulum.stateOf(7.0, 1.0);
        assertEquals(-0.6138233038432241, p.reward(before, new double[] {0.0}), TOL);
        // The reward of the step is the one of the state it starts from, not of where it lands.
        p.reset(before, 0L);
        p.step(new double[] {0.0});
        assertTrue(Math.abs(p.reward(p.state(), new double[] {0.0}) - (-0.6138233038432241)) > 0.1);

        assertEquals(7.0 - 2 * Math.PI, Pendulum.angleNormalize(7.0), TOL);
        assertEquals(-Math.PI, Pendulum.angleNormalize(Math.PI), 0.0);
        assertEquals(-Math.PI, Pendulum.angleNormalize(-Math.PI), 0.0);
        assertEquals(Math.PI / 2, Pendulum.angleNormalize(Math.PI / 2 - 4 * Math.PI), TOL);
        assertEquals(-Math.PI / 2, Pendulum.angleNormalize(3 * Math.PI / 2), TOL);
    }

    @Test
    void resetFromTheStateFormFollowsTheSameTrajectoryAsFromTheAngle() {
        // reset recovers th = atan2(sin, cos), equal to th up to rounding; the trajectories then
        // agree to rounding (no chaos over 20 steps of a pendulum: errors grow at most ~e^(4 * 1 s)).
        Pendulum a = new Pendulum();
        Pendulum b = new Pendulum();
        a.resetToAngle(2.5, -0.7);
        b.reset(Pendulum.stateOf(2.5, -0.7), 123L);
        for (int t = 0; t < 20; t++) {
            double[] u = {Math.sin(t)};
            a.step(u);
            b.step(u);
        }
        assertArrayEquals(a.state(), b.state(), 1e-10);
    }

    @Test
    void initialStateAcceptsAngleFormAndStateForm() {
        Pendulum p = new Pendulum();
        assertArrayEquals(new double[] {-1.0, Math.sin(Math.PI), 0.5}, p.initialState(new double[] {Math.PI, 0.5}), 0.0);
        assertArrayEquals(new double[] {0.0, 1.0, -2.0}, p.initialState(new double[] {0.0, 1.0, -2.0}), 1e-15);

        BadInputException wrongLength = assertThrows(BadInputException.class,
                () -> p.initialState(new double[] {1, 2, 3, 4}, "conditions[0].x0"));
        assertTrue(wrongLength.getMessage().startsWith("conditions[0].x0: expected 2 values"), wrongLength.getMessage());
        BadInputException offCircle = assertThrows(BadInputException.class,
                () -> p.initialState(new double[] {1.0, 1.0, 0.0}, "conditions[1].x0"));
        assertTrue(offCircle.getMessage().contains("conditions[1].x0") && offCircle.getMessage().contains("cos^2"),
                offCircle.getMessage());
        assertThrows(BadInputException.class, () -> p.initialState(new double[] {Double.NaN, 0.0}));
    }

    @Test
    void randomStartDrawsGymsDistributionReproducibly() {
        SplittableRandom r1 = new SplittableRandom(42);
        SplittableRandom r2 = new SplittableRandom(42);
        double minTh = Double.MAX_VALUE;
        double maxTh = -Double.MAX_VALUE;
        for (int i = 0; i < 2000; i++) {
            double[] x = Pendulum.randomStart(r1);
            assertArrayEquals(x, Pendulum.randomStart(r2), 0.0);
            assertEquals(1.0, x[0] * x[0] + x[1] * x[1], 1e-15);
            assertTrue(x[2] >= -1 && x[2] < 1);
            minTh = Math.min(minTh, Pendulum.angle(x));
            maxTh = Math.max(maxTh, Pendulum.angle(x));
        }
        // 2000 uniform draws on (-pi, pi): the extremes come within ~2 pi / 2000 * 10 of the ends
        // except with probability ~e^-10.
        assertTrue(minTh < -Math.PI + 0.03 && maxTh > Math.PI - 0.03, minTh + " " + maxTh);
    }

    /**
     * A start at a point of the unit square is what a random start is at two uniform draws: the
     * draws that th ~ U(-pi, pi), thdot ~ U(-1, 1) are made of, bit for bit.
     */
    @Test
    void aStartAtAPointOfTheUnitSquareIsTheRandomStartOfTheSameTwoDraws() {
        SplittableRandom draws = new SplittableRandom(5);
        SplittableRandom gym = new SplittableRandom(5);
        SplittableRandom start = new SplittableRandom(5);
        SplittableRandom angleDraws = new SplittableRandom(5);
        Pendulum angleState = new Pendulum(10.0, 1.0, 1.0, 0.05, 8.0, 2.0, true);
        for (int i = 0; i < 1000; i++) {
            double u0 = draws.nextDouble();
            double u1 = draws.nextDouble();
            double th = gym.nextDouble(-Math.PI, Math.PI);
            double thdot = gym.nextDouble(-1.0, 1.0);
            double[] x = new Pendulum().startAt(new double[] {u0, u1});
            assertArrayEquals(Pendulum.stateOf(th, thdot), x, 0.0);
            assertArrayEquals(x, Pendulum.randomStart(start), 0.0);
            // The angle form is the same start read back as an angle, as the angle form's draws are.
            assertArrayEquals(new double[] {Pendulum.angle(x), x[2]}, angleState.startAt(new double[] {u0, u1}), 0.0);
            assertArrayEquals(angleState.drawStart(angleDraws).orElseThrow(), angleState.startAt(new double[] {u0, u1}),
                    0.0);
        }
        assertEquals(2, new Pendulum().startDimension());
        assertArrayEquals(Pendulum.stateOf(-Math.PI, -1.0), new Pendulum().startAt(new double[] {0, 0}), 0.0);
        assertArrayEquals(new double[] {1, 0, 0}, new Pendulum().startAt(new double[] {0.5, 0.5}), 0.0);
        assertThrows(IllegalArgumentException.class, () -> new Pendulum().startAt(new double[] {0.5}));
    }

    @Test
    void dimensionsAndObservationEqualState() {
        Pendulum p = new Pendulum();
        assertEquals(3, p.stateDim());
        assertEquals(1, p.actionDim());
        assertEquals(3, p.observationDim());
        p.resetToAngle(1.0, 2.0);
        assertArrayEquals(p.state(), p.observation(), 0.0);
        assertEquals("pendulum", p.name());
        assertThrows(IllegalStateException.class, () -> new Pendulum().step(new double[] {0}));
    }

    @Test
    void angleStateCarriesTheUnwrappedAngleWhileTheObservationStaysTrigonometric() {
        Pendulum trig = new Pendulum();
        Pendulum angle = (Pendulum) Environments.create("pendulum", java.util.Map.of("state", "angle"));
        assertEquals(2, angle.stateDim());
        assertEquals(3, angle.observationDim());
        double[] x0 = angle.initialState(new double[] {Math.PI, 0.0}, "conditions[0]");
        assertArrayEquals(new double[] {Math.PI, 0.0}, x0, 0.0);
        angle.reset(x0, 0);
        trig.resetToAngle(Math.PI, 0.0);
        for (int t = 0; t < 60; t++) {
            double[] u = {2.0};
            // Same physics, same rewards: only the form of x differs.
            assertEquals(trig.reward(trig.state(), u), angle.reward(angle.state(), u), 1e-12, "t=" + t);
            trig.step(u);
            angle.step(u);
            assertArrayEquals(trig.observation(), angle.observation(), 0.0);
            assertEquals(trig.angle(), angle.state()[0], 0.0);
        }
        // Full torque for 3 s spins the pendulum past pi: the state keeps th unwrapped.
        assertTrue(Math.abs(angle.state()[0]) > Math.PI, "th=" + angle.state()[0]);
        assertEquals(Pendulum.angleNormalize(angle.state()[0]), Pendulum.angle(angle.state()), 1e-12);
    }

    @Test
    void anUnknownStateFormIsRejectedNamingTheKey() {
        org.gps.core.BadInputException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.gps.core.BadInputException.class,
                () -> Environments.create("pendulum", java.util.Map.of("state", "polar")));
        assertTrue(e.getMessage().contains("state") && e.getMessage().contains("trig, angle"), e.getMessage());
    }
}

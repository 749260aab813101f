package org.gps.core.control;

import org.gps.core.BadInputException;
import org.gps.core.linalg.Mat;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class InitialControllersTest {
    /** Closed forms evaluated in the same double arithmetic: only rounding separates them. */
    private static final double TOL = 1e-13;

    @Test
    void initLqrOnAOneJointDoubleIntegratorMatchesTheRiccatiStepsByHand() {
        // dX = 2 (p, v), dU = 1, T = 2, dt = 0.1, gain g = 2, acc a = 1, init_var 1, stiffness 1,
        // stiffness_vel 0.5, final_weight 1. Guessed model: F = [[1, dt, g dt^2], [0, 1, g dt]],
        // f = [a dt^2, a dt]. Cost: L = diag(1, 0.5, 1), l = -L [x0; 0] = (-p0, -0.5 v0, 0).
        // t = 1 (no future): Q = L, q = l, so K1 = 0, k1 = -q_u / 1 = 0, S1 = 1;
        //   V1 = diag(1, 0.5), v1 = (-p0, -0.5 v0).
        // t = 0: with b = (g dt^2, g dt) the action column of F,
        //   Quu = 1 + b^T V1 b = 1 + g^2 dt^4 + 0.5 g^2 dt^2,
        //   Qux = b^T V1 [I] = (g dt^2, 0.5 g dt + g dt^3)   [V1 times the columns (1,0), (dt,1)],
        //   q_u = b^T (v1 + V1 f) = g dt^2 (-p0 + a dt^2) + g dt (-0.5 v0 + 0.5 a dt),
        //   K0 = -Qux / Quu, k0 = -q_u / Quu, S0 = 1 / Quu.
        double dt = 0.1;
        double g = 2;
        double a = 1;
        double p0 = 0.7;
        double v0 = -0.3;
        InitLqrOptions o = InitLqrOptions.defaults().withDt(dt).withModel(new double[]{g}, new double[]{a});
        LinearGaussianController c = InitialControllers.initLqr(o, 2, 2, 1, new double[]{p0, v0});
        assertEquals(0.0, c.gain(1).maxAbs(), TOL);
        assertEquals(0.0, c.offset(1)[0], TOL);
        assertEquals(1.0, c.covariance(1).get(0, 0), TOL);
        double quu = 1 + g * g * Math.pow(dt, 4) + 0.5 * g * g * dt * dt;
        double qux0 = g * dt * dt;
        double qux1 = 0.5 * g * dt + g * Math.pow(dt, 3);
        double qu = g * dt * dt * (-p0 + a * dt * dt) + g * dt * (-0.5 * v0 + 0.5 * a * dt);
        assertEquals(-qux0 / quu, c.gain(0).get(0, 0), TOL);
        assertEquals(-qux1 / quu, c.gain(0).get(0, 1), TOL);
        assertEquals(-qu / quu, c.offset(0)[0], TOL);
        assertEquals(1 / quu, c.covariance(0).get(0, 0), TOL);
    }

    @Test
    void initLqrHoldsX0WithoutAccelerationAndScalesItsNoiseWithInitVar() {
        // With a = 0 and zero velocities, x0 is an equilibrium of the guessed model at u = 0 and
        // the cost is minimal there, so the mean action at x0 is 0 at every step: K_t x0 + k_t = 0.
        // (The fifth entry is not modelled: it maps to 0 and costs nothing, so it may be anything.)
        double[] x0 = {0.4, -1.0, 0.0, 0.0, 3.0};
        LinearGaussianController c = InitialControllers.initLqr(InitLqrOptions.defaults(), 6, 5, 2, x0);
        LinearGaussianController c2 = InitialControllers.initLqr(InitLqrOptions.defaults().withInitVar(2.0), 6, 5, 2,
                x0);
        for (int t = 0; t < 6; t++) {
            assertArrayEquals(new double[]{0, 0}, c.meanAction(t, x0), 1e-12);
            // Dividing the cost by init_var scales Q and so Qtt_uu^{-1} by init_var, gains unchanged.
            assertEquals(0.0, c.covariance(t).scale(2.0).maxAbsDiff(c2.covariance(t)), 1e-12);
            assertEquals(0.0, c.gain(t).maxAbsDiff(c2.gain(t)), 1e-12);
            // The state entries beyond 2 dU are not modelled: no gain on them.
            assertEquals(0.0, c.gain(t).get(0, 4), 0.0);
        }
    }

    @Test
    void initPdIsExactlyTheProportionalDerivativeController() {
        // pos_gains 10, vel_gains_mult 0.01, init_var 10 (defaults); dX = 5, dU = 2.
        double[] x0 = {1, 2, 3, 4, 5};
        LinearGaussianController c = InitialControllers.initPd(InitPdOptions.defaults(), 3, 5, 2, x0);
        Mat k = Mat.of(new double[][]{{-10, 0, -0.1, 0, 0}, {0, -10, 0, -0.1, 0}});
        // k = -K x0 = (10*1 + 0.1*3, 10*2 + 0.1*4) = (10.3, 20.4).
        for (int t = 0; t < 3; t++) {
            assertEquals(0.0, c.gain(t).maxAbsDiff(k), 0.0);
            assertArrayEquals(new double[]{10.3, 20.4}, c.offset(t), 1e-12);
            assertEquals(0.0, c.covariance(t).maxAbsDiff(Mat.eye(2, 10.0)), 0.0);
        }
        // More joints than actions: dQ = 3, velocities start at entry 3.
        LinearGaussianController d = InitialControllers.initPd(new InitPdOptions(1.0, 2.0, 0.5), 2, 6, 2, 3,
                new double[6]);
        assertEquals(0.0, d.gain(0).maxAbsDiff(Mat.of(new double[][]{{-2, 0, 0, -1, 0, 0}, {0, -2, 0, 0, -1, 0}})),
                0.0);
    }

    @Test
    void initControllersRefuseStatesTooSmallForPositionsAndVelocities() {
        assertThrows(BadInputException.class,
                () -> InitialControllers.initLqr(InitLqrOptions.defaults(), 5, 3, 2, new double[3]));
        assertThrows(BadInputException.class,
                () -> InitialControllers.initLqr(InitLqrOptions.defaults(), 5, 4, 2, new double[3]));
        assertThrows(BadInputException.class, () -> InitialControllers.initLqr(
                InitLqrOptions.defaults().withModel(new double[]{1, 2, 3}, null), 5, 4, 2, new double[4]));
    }
}

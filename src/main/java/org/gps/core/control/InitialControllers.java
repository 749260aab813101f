package org.gps.core.control;

import org.gps.core.BadInputException;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;

import java.util.Arrays;

/**
 * The first controllers of a run (docs/algorithm.md section 11). Both assume the state starts with
 * joint positions followed by joint velocities.
 */
public final class InitialControllers {
    private InitialControllers() {
    }

    /**
     * LQR that holds x0 on a guessed double integrator. Positions are the first dU state entries,
     * velocities the next dU; with dt, gains g and accelerations a the guessed model is
     * p' = p + dt v + dt^2 g u + dt^2 a, v' = v + dt g u + dt a, and every other state entry is
     * mapped to 0. Cost per step: 0.5 (y - [x0; 0])^T L (y - [x0; 0]) with
     * L = diag(stiffness on positions, stiffness * stiffness_vel on velocities, 0 on the rest,
     * 1 on actions) / init_var, the last step times final_weight. The controller covariance is
     * Qtt_uu^{-1}, about init_var.
     *
     * @throws BadInputException if dX < 2 dU (no room for positions and velocities)
     */
    public static LinearGaussianController initLqr(InitLqrOptions options, int horizon, int dX, int dU, double[] x0) {
        checkSizes("init_lqr", horizon, dX, dU, x0);
        if (dX < 2 * dU) {
            throw new BadInputException("init_lqr assumes positions and velocities of the " + dU
                    + " actuated joints in the first 2 dU state entries, but dX=" + dX + " < 2 dU=" + 2 * dU);
        }
        double dt = options.dt();
        double[] gains = options.gainsFor(dU);
        double[] acc = options.accFor(dU);
        int n = dX + dU;
        double[][] f = new double[dX][n];
        double[] fc = new double[dX];
        for (int i = 0; i < dU; i++) {
            f[i][i] = 1.0;
            f[i][dU + i] = dt;
            f[i][dX + i] = dt * dt * gains[i];
            f[dU + i][dU + i] = 1.0;
            f[dU + i][dX + i] = dt * gains[i];
            fc[i] = acc[i] * dt * dt;
            fc[dU + i] = acc[i] * dt;
        }
        Mat transition = Mat.of(f);
        Mat[] transitions = new Mat[horizon - 1];
        double[][] offsets = new double[horizon - 1][];
        Mat[] noise = new Mat[horizon - 1];
        Arrays.fill(transitions, transition);
        Arrays.fill(offsets, fc);
        Arrays.fill(noise, Mat.zeros(dX, dX));

        double[] weights = new double[n];
        for (int i = 0; i < dU; i++) {
            weights[i] = options.stiffness() / options.initVar();
            weights[dU + i] = options.stiffness() * options.stiffnessVel() / options.initVar();
            weights[dX + i] = 1.0 / options.initVar();
        }
        Mat ltt = Mat.diag(weights);
        double[] lt = new double[n];
        for (int i = 0; i < dX; i++) {
            lt[i] = -weights[i] * x0[i];
        }
        Mat[] cm = new Mat[horizon];
        double[][] cv = new double[horizon][];
        for (int t = 0; t < horizon; t++) {
            double w = t == horizon - 1 ? options.finalWeight() : 1.0;
            cm[t] = ltt.scale(w);
            cv[t] = org.gps.core.linalg.Vec.scale(w, lt);
        }
        LinearGaussianDynamics guess = horizon > 1 ? LinearGaussianDynamics.of(transitions, offsets, noise) : null;
        return LqrBackwardPass.plain(guess, dX, dU, cm, cv);
    }

    /**
     * PD controller around x0: K_t = -pos_gains [I, vel_gains_mult I, 0] (positions in the first
     * dU state entries, velocities in the next dU), k_t = -K_t x0, S_t = init_var I.
     */
    public static LinearGaussianController initPd(InitPdOptions options, int horizon, int dX, int dU, double[] x0) {
        return initPd(options, horizon, dX, dU, dU, x0);
    }

    /**
     * PD controller when there are more joints (dQ) than actions: positions are the first dQ state
     * entries and velocities the next dQ, and action i drives joint i (the original's dU < dQ case).
     */
    public static LinearGaussianController initPd(InitPdOptions options, int horizon, int dX, int dU, int dQ,
                                                  double[] x0) {
        checkSizes("init_pd", horizon, dX, dU, x0);
        if (dQ < dU || dX < 2 * dQ) {
            throw new BadInputException("init_pd needs dU <= dQ and 2 dQ <= dX, got dU=" + dU + ", dQ=" + dQ + ", dX="
                    + dX);
        }
        double[][] k = new double[dU][dX];
        for (int i = 0; i < dU; i++) {
            k[i][i] = -options.posGains();
            k[i][dQ + i] = -options.posGains() * options.velGainsMult();
        }
        Mat gain = Mat.of(k);
        double[] offset = org.gps.core.linalg.Vec.scale(-1.0, gain.times(x0));
        Mat cov = Mat.eye(dU, options.initVar());
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covs = new Mat[horizon];
        Arrays.fill(gains, gain);
        Arrays.fill(offsets, offset);
        Arrays.fill(covs, cov);
        return LinearGaussianController.of(gains, offsets, covs);
    }

    private static void checkSizes(String what, int horizon, int dX, int dU, double[] x0) {
        if (horizon < 1 || dX < 1 || dU < 1) {
            throw new BadInputException(what + " needs T, dX, dU >= 1, got " + horizon + ", " + dX + ", " + dU);
        }
        if (x0.length != dX) {
            throw new BadInputException(what + ": x0 has " + x0.length + " values, expected dX=" + dX);
        }
    }
}

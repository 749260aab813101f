package org.gps.core.control;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Options of {@link InitialControllers#initLqr} (docs/algorithm.md section 11), defaults from the
 * original's INIT_LG_LQR.
 *
 * @param initVar      divides the whole cost, so the controller covariance is about init_var
 *                     (`init_var`)
 * @param stiffness    cost weight on the positions (`stiffness`)
 * @param stiffnessVel velocity weight relative to stiffness (`stiffness_vel`)
 * @param finalWeight  multiplier on the last step's cost (`final_weight`)
 * @param initGains    per-action gain of the guessed double integrator (`init_gains`, empty = ones)
 * @param initAcc      per-action constant acceleration of the guessed model (`init_acc`, empty = zeros)
 * @param dt           time step of the guessed model; the original takes it from the agent, 0.05
 *                     here (the Pendulum's and the Box2D examples' step)
 */
public record InitLqrOptions(double initVar, double stiffness, double stiffnessVel, double finalWeight,
                             double[] initGains, double[] initAcc, double dt) implements Serializable {
    public InitLqrOptions {
        if (!(initVar > 0) || !(stiffness >= 0) || !(stiffnessVel >= 0) || !(finalWeight >= 0) || !(dt > 0)
                || !Double.isFinite(initVar) || !Double.isFinite(dt)) {
            throw new IllegalArgumentException("init_lqr needs init_var > 0, dt > 0 and stiffness, stiffness_vel, "
                    + "final_weight >= 0, got " + initVar + ", " + dt + ", " + stiffness + ", " + stiffnessVel + ", "
                    + finalWeight);
        }
        initGains = initGains == null ? new double[0] : initGains.clone();
        initAcc = initAcc == null ? new double[0] : initAcc.clone();
    }

    public static InitLqrOptions defaults() {
        return new InitLqrOptions(1.0, 1.0, 0.5, 1.0, new double[0], new double[0], 0.05);
    }

    public InitLqrOptions withDt(double v) {
        return new InitLqrOptions(initVar, stiffness, stiffnessVel, finalWeight, initGains, initAcc, v);
    }

    public InitLqrOptions withInitVar(double v) {
        return new InitLqrOptions(v, stiffness, stiffnessVel, finalWeight, initGains, initAcc, dt);
    }

    public InitLqrOptions withModel(double[] gains, double[] acc) {
        return new InitLqrOptions(initVar, stiffness, stiffnessVel, finalWeight, gains, acc, dt);
    }

    @Override
    public double[] initGains() {
        return initGains.clone();
    }

    @Override
    public double[] initAcc() {
        return initAcc.clone();
    }

    /** The gains for dU actions: ones when none were given. */
    double[] gainsFor(int dU) {
        return filledOrChecked(initGains, dU, 1.0, "init_gains");
    }

    /** The accelerations for dU actions: zeros when none were given. */
    double[] accFor(int dU) {
        return filledOrChecked(initAcc, dU, 0.0, "init_acc");
    }

    private static double[] filledOrChecked(double[] v, int dU, double fill, String key) {
        if (v.length == 0) {
            double[] out = new double[dU];
            Arrays.fill(out, fill);
            return out;
        }
        if (v.length != dU) {
            throw new org.gps.core.BadInputException(key + " has " + v.length + " values, expected dU=" + dU);
        }
        return v.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitLqrOptions p && Double.compare(p.initVar, initVar) == 0
                && Double.compare(p.stiffness, stiffness) == 0 && Double.compare(p.stiffnessVel, stiffnessVel) == 0
                && Double.compare(p.finalWeight, finalWeight) == 0 && Arrays.equals(p.initGains, initGains)
                && Arrays.equals(p.initAcc, initAcc) && Double.compare(p.dt, dt) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(initVar) * 31 + Arrays.hashCode(initGains) + Double.hashCode(dt);
    }

    @Override
    public String toString() {
        return "InitLqrOptions[initVar=" + initVar + ", stiffness=" + stiffness + ", stiffnessVel=" + stiffnessVel
                + ", finalWeight=" + finalWeight + ", initGains=" + Arrays.toString(initGains) + ", initAcc="
                + Arrays.toString(initAcc) + ", dt=" + dt + "]";
    }
}

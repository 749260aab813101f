package org.gps.core.cost;

import java.util.Arrays;

/**
 * Distance of the state to a fixed target (docs/algorithm.md section 2, the original's CostState):
 * with d = x_t - target and wp = weights * ramp_t,
 * l = 0.5 l2 sum(wp d^2) + l1 sqrt(alpha + sum((wp d)^2)).
 * The l2 part is a weighted squared distance; the l1 part is a smoothed weighted norm that keeps
 * pulling when the state is already close. Derivatives are analytic:
 * lx = l2 wp d + l1 wp^2 d / s, lxx = l2 diag(wp) + l1 (diag(wp^2) / s - (wp^2 d)(wp^2 d)^T / s^3),
 * with s = sqrt(alpha + sum((wp d)^2)). Dimensions with weight 0 do not enter.
 *
 * @param target            target state, length dX
 * @param weights           per-dimension weights, length dX, >= 0
 * @param ramp              how the weights grow over time
 * @param wpFinalMultiplier extra factor on the last step (`wp_final_multiplier`, default 1)
 * @param l1                weight of the smoothed norm (`l1`, default 0)
 * @param l2                weight of the squared distance (`l2`, default 1)
 * @param alpha             smoothing constant inside the square root (`alpha`, default 1e-2)
 */
public record StateCost(double[] target, double[] weights, RampOption ramp, double wpFinalMultiplier,
                        double l1, double l2, double alpha) implements CostFunction {
    private static final long serialVersionUID = 1L;

    public StateCost {
        if (target.length != weights.length) {
            throw new IllegalArgumentException("state cost target has " + target.length + " values but weights have "
                    + weights.length);
        }
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0) || !Double.isFinite(weights[i]) || !Double.isFinite(target[i])) {
                throw new IllegalArgumentException("state cost weight[" + i + "]=" + weights[i] + ", target[" + i + "]="
                        + target[i] + ": weights must be finite and >= 0, targets finite");
            }
        }
        if (ramp == null) {
            throw new IllegalArgumentException("state cost needs a ramp option");
        }
        if (!Double.isFinite(wpFinalMultiplier) || !Double.isFinite(l1) || !Double.isFinite(l2)) {
            throw new IllegalArgumentException("state cost wp_final_multiplier, l1, l2 must be finite");
        }
        if (l1 != 0 && !(alpha > 0)) {
            throw new IllegalArgumentException("state cost alpha must be > 0 when l1 != 0 (the square root needs it), got "
                    + alpha);
        }
        target = target.clone();
        weights = weights.clone();
    }

    /** A squared-distance cost with the original's defaults: constant ramp, final multiplier 1, l1 0, l2 1, alpha 1e-2. */
    public static StateCost of(double[] target, double[] weights) {
        return new StateCost(target, weights, RampOption.CONSTANT, 1.0, 0.0, 1.0, 1e-2);
    }

    public StateCost withRamp(RampOption r, double finalMultiplier) {
        return new StateCost(target, weights, r, finalMultiplier, l1, l2, alpha);
    }

    public StateCost withNorms(double newL1, double newL2, double newAlpha) {
        return new StateCost(target, weights, ramp, wpFinalMultiplier, newL1, newL2, newAlpha);
    }

    @Override
    public double[] target() {
        return target.clone();
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public void addTo(CostExpansion.Builder b, double weight) {
        int dX = b.stateDim();
        if (dX != target.length) {
            throw new IllegalArgumentException("state cost has a target of " + target.length + " values for states of "
                    + dX);
        }
        int horizon = b.horizon();
        double[] ramps = ramp.multipliers(horizon, wpFinalMultiplier);
        double[] wp = new double[dX];
        double[] wd = new double[dX];
        double[] w2d = new double[dX];
        for (int t = 0; t < horizon; t++) {
            double r = ramps[t];
            if (r == 0.0) {
                continue;
            }
            double[] x = b.state(t);
            double sq = 0;
            double wdSq = 0;
            for (int i = 0; i < dX; i++) {
                double d = x[i] - target[i];
                wp[i] = weights[i] * r;
                wd[i] = wp[i] * d;
                w2d[i] = wp[i] * wd[i];
                sq += wp[i] * d * d;
                wdSq += wd[i] * wd[i];
            }
            double[] lx = b.lx(t);
            double[] lxx = b.lxx(t);
            double value = 0.5 * l2 * sq;
            for (int i = 0; i < dX; i++) {
                lx[i] += weight * l2 * wd[i];
                lxx[i * dX + i] += weight * l2 * wp[i];
            }
            if (l1 != 0.0) {
                double s = Math.sqrt(alpha + wdSq);
                value += l1 * s;
                double c1 = weight * l1 / s;
                double c3 = weight * l1 / (s * s * s);
                for (int i = 0; i < dX; i++) {
                    lx[i] += c1 * w2d[i];
                    lxx[i * dX + i] += c1 * wp[i] * wp[i];
                    if (w2d[i] != 0.0) {
                        for (int j = 0; j < dX; j++) {
                            lxx[i * dX + j] -= c3 * w2d[i] * w2d[j];
                        }
                    }
                }
            }
            b.addCost(t, weight * value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StateCost c && Arrays.equals(c.target, target) && Arrays.equals(c.weights, weights)
                && c.ramp == ramp && Double.compare(c.wpFinalMultiplier, wpFinalMultiplier) == 0
                && Double.compare(c.l1, l1) == 0 && Double.compare(c.l2, l2) == 0 && Double.compare(c.alpha, alpha) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(target) + Arrays.hashCode(weights) + ramp.hashCode();
    }

    @Override
    public String toString() {
        return "StateCost[target=" + Arrays.toString(target) + ", weights=" + Arrays.toString(weights) + ", ramp=" + ramp
                + ", wpFinalMultiplier=" + wpFinalMultiplier + ", l1=" + l1 + ", l2=" + l2 + ", alpha=" + alpha + "]";
    }
}

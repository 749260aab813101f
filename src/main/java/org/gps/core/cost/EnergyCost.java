package org.gps.core.cost;

import java.util.Arrays;

/**
 * An energy held at a level (docs/algorithm.md section 2): with the energy
 * h(x) = 0.5 sum(quadratic_i x_i^2) + sum(linear_i x_i), l = 0.5 (h(x) - level)^2.
 * <p>
 * A state cost measures distance to a goal state; this term measures how far the system's energy
 * is from the goal's. Near an unstable goal that must be reached by pumping (a pendulum's
 * swing-up under a torque limit) a distance gives a local model no reason to swing wider before
 * it can go up, while the energy grows with every wider swing, so each iteration's local
 * controllers are pulled towards the fastest pumping rather than towards one more swing.
 * <p>
 * Derivatives: with r = h(x) - level and g = dh/dx = quadratic * x + linear, lx = r g and lxx = g g^T,
 * the Gauss-Newton part: the exact Hessian adds r diag(quadratic), which is indefinite wherever the
 * energy is below its level (all the way up a swing), and a cost expansion with an indefinite state
 * Hessian lets the backward pass's value function lose definiteness.
 *
 * @param quadratic per-dimension coefficients of 0.5 x_i^2, length dX, finite
 * @param linear    per-dimension coefficients of x_i, length dX, finite
 * @param level     the energy to hold, finite
 */
public record EnergyCost(double[] quadratic, double[] linear, double level) implements CostFunction {
    private static final long serialVersionUID = 1L;

    public EnergyCost {
        if (quadratic.length != linear.length) {
            throw new IllegalArgumentException("energy cost has " + quadratic.length + " quadratic and " + linear.length
                    + " linear coefficients; expected one of each per state dimension");
        }
        for (int i = 0; i < quadratic.length; i++) {
            if (!Double.isFinite(quadratic[i]) || !Double.isFinite(linear[i])) {
                throw new IllegalArgumentException("energy cost quadratic[" + i + "]=" + quadratic[i] + ", linear[" + i
                        + "]=" + linear[i] + ": coefficients must be finite");
            }
        }
        if (!Double.isFinite(level)) {
            throw new IllegalArgumentException("energy cost level must be finite, got " + level);
        }
        quadratic = quadratic.clone();
        linear = linear.clone();
    }

    @Override
    public double[] quadratic() {
        return quadratic.clone();
    }

    @Override
    public double[] linear() {
        return linear.clone();
    }

    /** The energy h(x) of one state. */
    public double energy(double[] x) {
        double h = 0;
        for (int i = 0; i < quadratic.length; i++) {
            h += (0.5 * quadratic[i] * x[i] + linear[i]) * x[i];
        }
        return h;
    }

    @Override
    public void addTo(CostExpansion.Builder b, double weight) {
        int dX = b.stateDim();
        if (dX != quadratic.length) {
            throw new IllegalArgumentException("energy cost has " + quadratic.length + " coefficients for states of "
                    + dX);
        }
        double[] g = new double[dX];
        for (int t = 0; t < b.horizon(); t++) {
            double[] x = b.state(t);
            double r = energy(x) - level;
            for (int i = 0; i < dX; i++) {
                g[i] = quadratic[i] * x[i] + linear[i];
            }
            double[] lx = b.lx(t);
            double[] lxx = b.lxx(t);
            for (int i = 0; i < dX; i++) {
                lx[i] += weight * r * g[i];
                if (g[i] != 0.0) {
                    for (int j = 0; j < dX; j++) {
                        lxx[i * dX + j] += weight * g[i] * g[j];
                    }
                }
            }
            b.addCost(t, weight * 0.5 * r * r);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnergyCost c && Arrays.equals(c.quadratic, quadratic) && Arrays.equals(c.linear, linear)
                && Double.compare(c.level, level) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(quadratic) + Arrays.hashCode(linear) + Double.hashCode(level);
    }

    @Override
    public String toString() {
        return "EnergyCost[quadratic=" + Arrays.toString(quadratic) + ", linear=" + Arrays.toString(linear) + ", level="
                + level + "]";
    }
}

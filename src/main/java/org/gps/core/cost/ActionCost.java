package org.gps.core.cost;

import java.util.Arrays;

/**
 * Quadratic action penalty l = 0.5 sum(wu * u^2), lu = wu u, luu = diag(wu) (docs/algorithm.md
 * section 2, the original's CostAction).
 *
 * @param wu per-action weights, length dU
 */
public record ActionCost(double[] wu) implements CostFunction {
    private static final long serialVersionUID = 1L;

    public ActionCost {
        for (int i = 0; i < wu.length; i++) {
            if (!Double.isFinite(wu[i])) {
                throw new IllegalArgumentException("action cost wu[" + i + "] is " + wu[i]);
            }
        }
        wu = wu.clone();
    }

    @Override
    public double[] wu() {
        return wu.clone();
    }

    @Override
    public void addTo(CostExpansion.Builder b, double weight) {
        int dU = b.actionDim();
        if (dU != wu.length) {
            throw new IllegalArgumentException("action cost has " + wu.length + " weights for actions of " + dU);
        }
        for (int t = 0; t < b.horizon(); t++) {
            double[] u = b.action(t);
            double[] lu = b.lu(t);
            double[] luu = b.luu(t);
            double value = 0;
            for (int i = 0; i < dU; i++) {
                value += wu[i] * u[i] * u[i];
                lu[i] += weight * wu[i] * u[i];
                luu[i * dU + i] += weight * wu[i];
            }
            b.addCost(t, weight * 0.5 * value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActionCost c && Arrays.equals(c.wu, wu);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(wu);
    }

    @Override
    public String toString() {
        return "ActionCost[wu=" + Arrays.toString(wu) + "]";
    }
}

package org.gps.core.cost;

import java.io.Serializable;

/**
 * A cost on trajectories whose value and derivatives are known analytically (docs/algorithm.md
 * section 2). Implementations are plain immutable values, so one per condition is simply a list
 * held by the caller.
 */
public interface CostFunction extends Serializable {

    /**
     * Adds {@code weight} times this cost and its first and second derivatives, along the
     * trajectory held by {@code target}, into {@code target}.
     */
    void addTo(CostExpansion.Builder target, double weight);

    /**
     * Cost and expansion of one trajectory.
     *
     * @param x states, T rows of dX
     * @param u actions, T rows of dU
     */
    default CostExpansion evaluate(double[][] x, double[][] u) {
        CostExpansion.Builder b = CostExpansion.builder(x, u);
        addTo(b, 1.0);
        return b.build();
    }
}

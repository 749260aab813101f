package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;

import java.io.Serializable;

/**
 * The fitted local model of one condition that the C-step and the step-size rule work on
 * (the original's TrajectoryInfo): linear-Gaussian dynamics (section 4), initial-state
 * distribution (section 5) and quadratic cost (section 2), all for the same T, dX, dU; and the
 * box of actions the plant can apply, which the C-step then plans within (null: no limits).
 */
public record TrajectoryModel(LinearGaussianDynamics dynamics, InitialStateDistribution initialState,
                              QuadraticCostModel cost, ActionBounds actionBounds) implements Serializable {
    /** A model without action limits. */
    public TrajectoryModel(LinearGaussianDynamics dynamics, InitialStateDistribution initialState,
                           QuadraticCostModel cost) {
        this(dynamics, initialState, cost, null);
    }

    public TrajectoryModel {
        int horizon = cost.horizon();
        int dX = cost.stateDim();
        int dU = cost.actionDim();
        if (dynamics.horizon() != horizon || dynamics.stateDim() != dX || dynamics.actionDim() != dU) {
            throw new IllegalArgumentException("dynamics for T=" + dynamics.horizon() + ", dX=" + dynamics.stateDim()
                    + ", dU=" + dynamics.actionDim() + " do not match the cost for T=" + horizon + ", dX=" + dX
                    + ", dU=" + dU);
        }
        if (initialState.mean().length != dX) {
            throw new IllegalArgumentException("initial state of " + initialState.mean().length + " values for dX=" + dX);
        }
        if (actionBounds != null && actionBounds.actionDim() != dU) {
            throw new IllegalArgumentException("action bounds of dimension " + actionBounds.actionDim() + " for dU=" + dU);
        }
    }

    public int horizon() {
        return cost.horizon();
    }

    public int stateDim() {
        return cost.stateDim();
    }

    public int actionDim() {
        return cost.actionDim();
    }

    /** The same model with {@code c} as its cost. */
    public TrajectoryModel withCost(QuadraticCostModel c) {
        return new TrajectoryModel(dynamics, initialState, c, actionBounds);
    }

    /** Throws unless {@code controller} has this model's T, dX and dU. */
    void requireFits(LinearGaussianController controller, String role) {
        if (controller.horizon() != horizon() || controller.stateDim() != stateDim()
                || controller.actionDim() != actionDim()) {
            throw new IllegalArgumentException(role + " controller for T=" + controller.horizon() + ", dX="
                    + controller.stateDim() + ", dU=" + controller.actionDim() + " does not match the model for T="
                    + horizon() + ", dX=" + stateDim() + ", dU=" + actionDim());
        }
    }
}

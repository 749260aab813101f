package org.gps.core.control;

import org.gps.core.cost.QuadraticCostModel;
import org.gps.core.dynamics.InitialStateDistribution;
import org.gps.core.dynamics.LinearGaussianDynamics;
import org.gps.core.linalg.Mat;

/**
 * Expected cost of a controller under a fitted model by the Laplace approximation (docs/algorithm.md
 * section 7): sum_t cc_t + 0.5 tr(Sigma_t Cm_t) + 0.5 mu_t^T Cm_t mu_t + mu_t^T cv_t, with
 * (mu_t, Sigma_t) from the forward pass. Exact when the cost is quadratic and the dynamics linear.
 */
public final class LaplaceCost {
    private LaplaceCost() {
    }

    public static double estimate(LinearGaussianDynamics dynamics, InitialStateDistribution x0,
                                  LinearGaussianController controller, QuadraticCostModel cost) {
        return ControllerKL.sum(perStep(new TrajectoryModel(dynamics, x0, cost), controller));
    }

    public static double estimate(TrajectoryModel model, LinearGaussianController controller) {
        return ControllerKL.sum(perStep(model, controller));
    }

    /** The expected cost of every step. */
    public static double[] perStep(TrajectoryModel model, LinearGaussianController controller) {
        StateActionMarginals marginals = StateActionMarginals.forward(model, controller);
        QuadraticCostModel cost = model.cost();
        double[] out = new double[cost.horizon()];
        for (int t = 0; t < out.length; t++) {
            double[] mu = marginals.rawMean(t);
            Mat cm = cost.quadratic(t);
            out[t] = cost.valueAt(t, mu) + 0.5 * marginals.covariance(t).traceOfProduct(cm);
        }
        return out;
    }
}

package org.gps.core.control;

import java.io.Serializable;

/**
 * Outcome of one C-step for one condition (docs/algorithm.md section 6).
 *
 * @param controller the new controller
 * @param eta        the dual variable the controller was computed with (per-step mode: mean of
 *                   the per-step etas); the next C-step starts from it
 * @param stepEtas   eta_t per step (scalar mode: all equal to eta); per-step mode restarts from these
 * @param kl         sum_t kl_t of the new controller against the reference
 * @param klTarget   epsilon = kl_step * step_mult * T
 * @param stepKl     kl_t per step
 * @param rounds     backward passes run by the dual search
 * @param converged  whether the KL constraint was met within 10% (per-step mode: at every step)
 */
public record TrajOptResult(LinearGaussianController controller, double eta, double[] stepEtas, double kl,
                            double klTarget, double[] stepKl, int rounds, boolean converged) implements Serializable {
    public TrajOptResult {
        stepEtas = stepEtas.clone();
        stepKl = stepKl.clone();
    }

    @Override
    public double[] stepEtas() {
        return stepEtas.clone();
    }

    @Override
    public double[] stepKl() {
        return stepKl.clone();
    }
}

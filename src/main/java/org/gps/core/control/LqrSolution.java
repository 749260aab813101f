package org.gps.core.control;

import java.io.Serializable;

/**
 * Result of one LQR backward pass: the controller and the dual variable it was computed with,
 * which is larger than the one asked for if Qtt_uu had to be made positive definite
 * (docs/algorithm.md section 6).
 *
 * @param controller the new controller
 * @param eta        the scalar eta used (in per-step mode: the mean of the per-step etas, for logs)
 * @param stepEtas   eta_t per step (all equal to eta in scalar mode)
 */
public record LqrSolution(LinearGaussianController controller, double eta, double[] stepEtas) implements Serializable {
    public LqrSolution {
        stepEtas = stepEtas.clone();
    }

    @Override
    public double[] stepEtas() {
        return stepEtas.clone();
    }
}

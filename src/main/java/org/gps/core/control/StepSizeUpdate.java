package org.gps.core.control;

import java.io.Serializable;

/**
 * A step-size update (docs/algorithm.md section 7).
 *
 * @param stepMult             the new step multiplier
 * @param multiplier           the clipped factor it was multiplied by, in [0.1, 5]
 * @param predictedImprovement L(prev ctrl, prev model) - L(new ctrl, prev model)
 * @param actualImprovement    L(prev ctrl, prev model) - L(new ctrl, cur model)
 */
public record StepSizeUpdate(double stepMult, double multiplier, double predictedImprovement,
                             double actualImprovement) implements Serializable {
}

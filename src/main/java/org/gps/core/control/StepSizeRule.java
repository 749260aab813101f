package org.gps.core.control;

/**
 * The step-size rule of docs/algorithm.md section 7. Modelling the improvement as a quadratic in the
 * KL step, pred * s + (act - pred) * s^2, its maximiser is s = pred / (2 (pred - act)) times the
 * current step: mult = pred / (2 max(1e-4, pred - act)) clipped to [0.1, 5], then
 * step_mult = clip(step_mult * mult, min_step_mult, max_step_mult).
 */
public final class StepSizeRule {
    static final double MIN_MULT = 0.1;
    static final double MAX_MULT = 5.0;
    /** Floor on pred - act: a model that predicted at least what happened lets the step grow (up to 5x). */
    static final double MIN_GAP = 1e-4;

    private StepSizeRule() {
    }

    /** The rule on given improvements (MDGPS averages them over conditions before calling this). */
    public static StepSizeUpdate update(double predictedImprovement, double actualImprovement, double stepMult,
                                        TrajOptOptions options) {
        if (!Double.isFinite(predictedImprovement) || !Double.isFinite(actualImprovement)) {
            throw new IllegalArgumentException("improvements must be finite, got predicted " + predictedImprovement
                    + ", actual " + actualImprovement);
        }
        double mult = predictedImprovement / (2.0 * Math.max(MIN_GAP, predictedImprovement - actualImprovement));
        mult = Math.max(MIN_MULT, Math.min(MAX_MULT, mult));
        double next = Math.max(options.minStepMult(), Math.min(options.maxStepMult(), stepMult * mult));
        return new StepSizeUpdate(next, mult, predictedImprovement, actualImprovement);
    }

    /**
     * TrajOpt: predicted = L(previous, previousModel) - L(current, previousModel),
     * actual = L(previous, previousModel) - L(current, currentModel), with L the Laplace cost.
     *
     * @param previous      the controller that generated the previous samples
     * @param previousModel the model fitted on the previous samples
     * @param current       the controller from the last C-step, which generated the current samples
     * @param currentModel  the model fitted on the current samples
     */
    public static StepSizeUpdate update(LinearGaussianController previous, TrajectoryModel previousModel,
                                        LinearGaussianController current, TrajectoryModel currentModel,
                                        double stepMult, TrajOptOptions options) {
        double before = LaplaceCost.estimate(previousModel, previous);
        double predicted = before - LaplaceCost.estimate(previousModel, current);
        double actual = before - LaplaceCost.estimate(currentModel, current);
        return update(predicted, actual, stepMult, options);
    }
}

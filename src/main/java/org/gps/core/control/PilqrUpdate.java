package org.gps.core.control;

import org.gps.core.linalg.Vec;

import java.io.Serializable;

/**
 * PILQR's C-step of one condition: LQR on the fitted local models, with one KL bound per time
 * step, then a PI2 correction driven by the part of the sampled cost those models do not predict.
 * The new controller has LQR's feedback gains and PI2's feedforward terms and covariances.
 *
 * <p>In order: every sample's noise is replayed through the controller that drew it and the fitted
 * mean dynamics ({@link ModelReplay}); the residual r = c - ch is what the model missed. From the
 * second iteration on the residual's share of the cost-to-go sets each step's multiplier
 * ({@link ResidualStepRule}): a model that explains the cost earns larger LQR steps. LQR then
 * optimises towards the reference under the per-step targets kl_step_t * step_mult_t
 * ({@link TrajectoryOptimizer#optimizePerStep}); PI2 ({@link Pi2Update}, replay mode) reweights
 * the samples by their residual cost-to-go, with temperatures solved on the full sampled cost by
 * default, so that a residual that is small against the spread of the cost moves the controller
 * little (the temperatures then bound the KL of the weights of the full cost, not of those used).
 */
public final class PilqrUpdate {
    private PilqrUpdate() {
    }

    /**
     * @param controller   the new controller
     * @param lqr          the LQR part's outcome: its controller, per-step etas (where the next C-step
     *                     starts), KL per step and targets
     * @param temperatures PI2's per-step temperatures
     * @param weightKl     KL of the PI2 weights actually used, per step
     * @param stepMult     the per-step multipliers this C-step used
     * @param rho          the residual's share of the sampled cost-to-go per step (NaN where that is 0)
     * @param corrected    whether PI2 corrected the LQR step; false when its weights left no usable
     *                     covariance at some step, and the controller is then LQR's alone
     */
    public record Result(LinearGaussianController controller, TrajOptResult lqr, double[] temperatures,
                         double[] weightKl, double[] stepMult, double[] rho, boolean corrected)
            implements Serializable {
        public Result {
            temperatures = temperatures.clone();
            weightKl = weightKl.clone();
            stepMult = stepMult.clone();
            rho = rho.clone();
        }

        @Override
        public double[] temperatures() {
            return temperatures.clone();
        }

        @Override
        public double[] weightKl() {
            return weightKl.clone();
        }

        @Override
        public double[] stepMult() {
            return stepMult.clone();
        }

        @Override
        public double[] rho() {
            return rho.clone();
        }
    }

    /**
     * @param model        the fitted dynamics, initial state and this iteration's averaged cost expansion
     * @param reference    what the LQR part stays close to: the controller that drew the samples
     *                     (TrajOpt) or the policy linearized around them (MDGPS)
     * @param sampler      the linear-Gaussian controller that drew the samples, whose noise is replayed
     *                     (for samples of a neural policy: its linearization with the policy's noise)
     * @param samples      the condition's samples with their recovered unit noise and step costs
     * @param previousEtas the per-step etas the last C-step's LQR part ended with (1 at first)
     * @param stepMult     the per-step multipliers so far (1 at first)
     * @param adjustStep   whether the step rule runs (from the second iteration on)
     * @param lqrOptions   the LQR part's options; it always runs with one constraint per step
     */
    public static Result update(TrajectoryModel model, LinearGaussianController reference,
                                LinearGaussianController sampler, ConditionSamples samples, double[] previousEtas,
                                double[] stepMult, boolean adjustStep, TrajOptOptions lqrOptions,
                                PilqrOptions options, Pi2Options pi2) {
        int horizon = model.horizon();
        if (samples.horizon() != horizon || stepMult.length != horizon || previousEtas.length != horizon) {
            throw new IllegalArgumentException("PILQR: samples of T=" + samples.horizon() + ", " + stepMult.length
                    + " step multipliers and " + previousEtas.length + " etas for a model of T=" + horizon);
        }
        double[][] cost = samples.costs();
        double[][][] noise = new double[samples.count()][horizon][];
        double[][] starts = new double[samples.count()][];
        for (int i = 0; i < samples.count(); i++) {
            starts[i] = samples.state(i, 0);
            for (int t = 0; t < horizon; t++) {
                noise[i][t] = samples.noise(i, t);
            }
        }
        double[][] predicted = ModelReplay.predictedCosts(sampler, model.dynamics(), model.initialState(),
                model.cost(), noise, starts, options.replayStart());
        double[][] residual = ModelReplay.residual(cost, predicted);
        ResidualStepRule.Update rule = ResidualStepRule.apply(cost, residual, stepMult,
                adjustStep ? options : options.withStepRule(PilqrOptions.StepRule.CONST));
        double[] mult = rule.stepMult();
        TrajOptOptions perStep = lqrOptions.consPerStep() ? lqrOptions : lqrOptions.withConsPerStep(true);
        double[] targets = options.klTargets(mult);
        TrajOptResult lqr;
        try {
            lqr = TrajectoryOptimizer.optimizePerStep(model, reference, previousEtas, targets, perStep);
        } catch (LqrFailedException e) {
            // Models so badly conditioned that no eta gives a positive definite step say nothing about
            // a better controller: the LQR part takes no step, and PI2 alone corrects the reference.
            lqr = new TrajOptResult(reference, Vec.mean(previousEtas), previousEtas, 0.0, Vec.sum(targets),
                    new double[horizon], 0, false);
        }
        double[] temperatures = Pi2Update.temperatures(
                options.pi2TemperatureFrom() == PilqrOptions.Pi2TemperatureFrom.COST ? cost : residual, pi2);
        try {
            Pi2Result corrected = Pi2Update.update(lqr.controller(), samples, residual, Pi2Update.Mode.REPLAY,
                    temperatures, pi2);
            return new Result(corrected.controller(), lqr, corrected.temperatures(), corrected.weightKl(), mult,
                    rule.rho(), true);
        } catch (Pi2FailedException e) {
            // The residual singles out one sample at some step even at the highest temperature: the
            // samples say nothing usable about the spread there, and the model-based step stands alone.
            return new Result(lqr.controller(), lqr, temperatures, new double[horizon], mult, rule.rho(), false);
        }
    }
}

package org.gps.core.control;

import java.io.Serializable;

/**
 * Options of PILQR's step size and model replay: the per-step KL steps of its LQR part, the bounds
 * the residual rule keeps the step multipliers in, the rule itself, where PI2 takes its temperatures
 * from and where the replay of each sample starts. Defaults ({@link #defaults()}) are the original
 * implementation's, whose per-step defaults were written out for T = 100 as linear ramps; here they
 * are {@link Ramp}s laid out for the actual horizon. Immutable.
 *
 * @param klStep             KL step per time step, the target of step t being kl_step_t * step_mult_t
 *                           (`kl_step`)
 * @param maxStepMult        upper bound of step_mult_t (`max_step_mult`)
 * @param minStepMult        lower bound of step_mult_t (`min_step_mult`)
 * @param stepRule           how step_mult_t adapts between iterations (`step_rule`)
 * @param resRatioDec        step_mult_t halves when the residual share rho_t exceeds this
 *                           (`step_rule_res_ratio_dec`)
 * @param resRatioInc        step_mult_t doubles when rho_t is below this
 *                           (`step_rule_res_ratio_inc`)
 * @param pi2TemperatureFrom the cost PI2's temperatures are solved on (`pi2_temperature_from`)
 * @param replayStart        where the model replay of each sample starts (model_mean: the fitted
 *                           initial-state mean, as the original; sample: the sample's own x_0)
 */
public record PilqrOptions(Ramp klStep, Ramp maxStepMult, Ramp minStepMult, StepRule stepRule, double resRatioDec,
                           double resRatioInc, Pi2TemperatureFrom pi2TemperatureFrom, ReplayStart replayStart)
        implements Serializable {

    /** How the step multipliers adapt between iterations. */
    public enum StepRule {
        /** By the share of the sampled cost-to-go that the model's prediction misses ({@link ResidualStepRule}). */
        RES_PERCENT,
        /** Not at all: step_mult stays as it is. */
        CONST
    }

    /** Which cost-to-go PI2's per-step temperatures are solved on. */
    public enum Pi2TemperatureFrom {
        /**
         * The full sampled cost: the temperature then has the scale of the cost, and a residual that
         * is small against the spread of the cost moves the controller little.
         */
        COST,
        /** The residual the PI2 step weights the samples by. */
        RESIDUAL
    }

    /** Where the model replay of a sample starts. */
    public enum ReplayStart {
        /**
         * The fitted initial-state mean, the same for every sample: the spread of the initial states
         * then counts as residual.
         */
        MODEL_MEAN,
        /** The sample's own recorded x_0. */
        SAMPLE
    }

    public PilqrOptions {
        requireNonNull(klStep, "kl_step");
        requireNonNull(maxStepMult, "max_step_mult");
        requireNonNull(minStepMult, "min_step_mult");
        requireNonNull(stepRule, "step_rule");
        requireNonNull(pi2TemperatureFrom, "pi2_temperature_from");
        requireNonNull(replayStart, "replay_start");
        requirePositive(klStep, "kl_step");
        requirePositive(maxStepMult, "max_step_mult");
        requirePositive(minStepMult, "min_step_mult");
        // Both ramps are linear, so ordered ends keep them ordered at every step of any horizon.
        if (minStepMult.start() > maxStepMult.start() || minStepMult.end() > maxStepMult.end()) {
            throw new IllegalArgumentException("min_step_mult (" + minStepMult + ") must not exceed max_step_mult ("
                    + maxStepMult + ") at either end");
        }
        if (!(resRatioInc >= 0 && resRatioInc <= resRatioDec && Double.isFinite(resRatioDec))) {
            throw new IllegalArgumentException("need 0 <= step_rule_res_ratio_inc <= step_rule_res_ratio_dec < inf, "
                    + "got " + resRatioInc + " and " + resRatioDec);
        }
    }

    public static PilqrOptions defaults() {
        return new PilqrOptions(new Ramp(0.4, 0.2), new Ramp(10.0, 5.0), new Ramp(0.01, 0.5), StepRule.RES_PERCENT,
                0.2, 0.05, Pi2TemperatureFrom.COST, ReplayStart.MODEL_MEAN);
    }

    /** kl_step_t * step_mult_t for every t: the per-step targets of the LQR part. */
    public double[] klTargets(double[] stepMult) {
        double[] eps = klStep.values(stepMult.length);
        for (int t = 0; t < eps.length; t++) {
            eps[t] *= stepMult[t];
        }
        return eps;
    }

    public PilqrOptions withKlStep(Ramp v) {
        return new PilqrOptions(v, maxStepMult, minStepMult, stepRule, resRatioDec, resRatioInc, pi2TemperatureFrom,
                replayStart);
    }

    public PilqrOptions withStepMultBounds(Ramp min, Ramp max) {
        return new PilqrOptions(klStep, max, min, stepRule, resRatioDec, resRatioInc, pi2TemperatureFrom, replayStart);
    }

    public PilqrOptions withStepRule(StepRule v) {
        return new PilqrOptions(klStep, maxStepMult, minStepMult, v, resRatioDec, resRatioInc, pi2TemperatureFrom,
                replayStart);
    }

    public PilqrOptions withResRatios(double dec, double inc) {
        return new PilqrOptions(klStep, maxStepMult, minStepMult, stepRule, dec, inc, pi2TemperatureFrom, replayStart);
    }

    public PilqrOptions withPi2TemperatureFrom(Pi2TemperatureFrom v) {
        return new PilqrOptions(klStep, maxStepMult, minStepMult, stepRule, resRatioDec, resRatioInc, v, replayStart);
    }

    public PilqrOptions withReplayStart(ReplayStart v) {
        return new PilqrOptions(klStep, maxStepMult, minStepMult, stepRule, resRatioDec, resRatioInc,
                pi2TemperatureFrom, v);
    }

    private static void requireNonNull(Object v, String key) {
        if (v == null) {
            throw new IllegalArgumentException(key + " is missing");
        }
    }

    private static void requirePositive(Ramp r, String key) {
        if (!(r.min() > 0)) {
            throw new IllegalArgumentException(key + " must be > 0 at every step, got " + r);
        }
    }
}

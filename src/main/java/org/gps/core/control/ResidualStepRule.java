package org.gps.core.control;

import java.io.Serializable;
import java.util.Arrays;

/**
 * PILQR's step size: per time step, the share of the sampled cost-to-go that the model's
 * prediction misses,
 * rho_t = mean_i sum_{s>=t} |r_{i,s}| / mean_i sum_{s>=t} |c_{i,s}|
 * (absolute values per step, then summed over the tail). Where the model explains the cost
 * (rho_t below {@code resRatioInc}) the LQR step at t doubles, where it misses much of it (rho_t
 * above {@code resRatioDec}) the step halves and leaves more of the improvement to PI2; in between,
 * and where the tail of the cost is all zero so that rho_t says nothing, it stays. The new
 * step_mult_t is then held within [min_step_mult_t, max_step_mult_t]. The constant rule leaves the
 * multipliers as they are.
 */
public final class ResidualStepRule {
    private ResidualStepRule() {
    }

    /**
     * The outcome of one application.
     *
     * @param stepMult the new step_mult_t
     * @param rho      rho_t, NaN where the sampled cost-to-go is zero (for the logs)
     */
    public record Update(double[] stepMult, double[] rho) implements Serializable {
        public Update {
            stepMult = stepMult.clone();
            rho = rho.clone();
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
     * @param cost     c[i][t], the sampled costs of this iteration's N samples
     * @param residual r[i][t], the part of c the model does not predict ({@link ModelReplay#residual})
     * @param stepMult step_mult_t so far (1 at every step before the first update)
     */
    public static Update apply(double[][] cost, double[][] residual, double[] stepMult, PilqrOptions options) {
        int horizon = stepMult.length;
        for (int t = 0; t < horizon; t++) {
            if (!(stepMult[t] > 0) || !Double.isFinite(stepMult[t])) {
                throw new IllegalArgumentException("step_mult of step " + t + " must be positive and finite, got "
                        + stepMult[t]);
            }
        }
        double[] rho = residualShare(cost, residual, horizon);
        if (options.stepRule() == PilqrOptions.StepRule.CONST) {
            return new Update(stepMult, rho);
        }
        double[] min = options.minStepMult().values(horizon);
        double[] max = options.maxStepMult().values(horizon);
        double[] next = new double[horizon];
        for (int t = 0; t < horizon; t++) {
            double factor = 1.0;
            if (rho[t] > options.resRatioDec()) {
                factor = 0.5;
            } else if (rho[t] < options.resRatioInc()) {
                factor = 2.0;
            }
            next[t] = Math.max(min[t], Math.min(max[t], stepMult[t] * factor));
        }
        return new Update(next, rho);
    }

    /** rho_t for every t; NaN where the denominator is 0, which no comparison then acts on. */
    static double[] residualShare(double[][] cost, double[][] residual, int horizon) {
        int n = cost.length;
        if (n == 0 || residual.length != n) {
            throw new IllegalArgumentException("the step rule needs the costs and residuals of the same N >= 1 "
                    + "samples, got " + n + " and " + residual.length);
        }
        double[] num = new double[horizon];
        double[] den = new double[horizon];
        for (int i = 0; i < n; i++) {
            if (cost[i].length != horizon || residual[i].length != horizon) {
                throw new IllegalArgumentException("sample " + i + ": " + cost[i].length + " costs and "
                        + residual[i].length + " residuals for T=" + horizon);
            }
            double tailR = 0;
            double tailC = 0;
            for (int t = horizon - 1; t >= 0; t--) {
                tailR += Math.abs(residual[i][t]);
                tailC += Math.abs(cost[i][t]);
                num[t] += tailR / n;
                den[t] += tailC / n;
            }
        }
        double[] rho = new double[horizon];
        Arrays.fill(rho, Double.NaN);
        for (int t = 0; t < horizon; t++) {
            if (den[t] > 0) {
                rho[t] = num[t] / den[t];
            }
        }
        return rho;
    }
}

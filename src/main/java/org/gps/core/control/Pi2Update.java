package org.gps.core.control;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;

/**
 * The PI2 update of one condition: a model-free trajectory update that reweights the samples by
 * their cost-to-go and refits the feedforward terms and the covariances of a linear-Gaussian
 * controller, keeping its gains.
 *
 * <p>Every time step t is its own problem. From an N x T cost array z the cost-to-go of sample i
 * is Z_{i,t} = z_{i,t} + ... + z_{i,T-1}. The sample weights are p_{i,t} proportional to
 * exp(-Z_{i,t} / eta_t); the temperature eta_t is the smallest one (not below
 * {@link Pi2Options#minTemperature()}) for which the KL divergence of the weights from uniform
 * weights is at most {@link Pi2Options#klThreshold()}, or is given by the caller. Costs are not
 * rescaled: the temperature carries their scale, so z to alpha z + beta_t scales eta by alpha and
 * changes nothing else.
 *
 * <p>The new feedforward term is the weighted mean of the samples' feedforward actions a_{i,t}
 * ({@link Mode}); the new covariance is either their weighted maximum-likelihood covariance C_t
 * or, with damping d > 0, the base covariance rescaled by gamma_t^(1/d), gamma_t = tr(Sb_t^{-1}
 * C_t) / dU. The gains are the base's. When a step's covariance is not positive definite (the
 * weights sit on one sample, or too few samples span the action space), that step alone is redone
 * with a higher temperature, raised by {@link Pi2Options#del0()} and then by doubling increments.
 */
public final class Pi2Update {
    /** Largest temperature: the dual is solved below it, and a step that needs more fails. */
    public static final double MAX_TEMPERATURE = 1e16;
    /**
     * The dual's solution meets the KL bound to this absolute tolerance. The KL is evaluated
     * analytically to about 1e-14 for hundreds of samples, so this is reachable and makes the
     * temperatures reproducible well beyond what any caller compares.
     */
    static final double KL_TOLERANCE = 1e-9;
    private static final int MAX_SOLVER_ROUNDS = 200;

    /** Where the feedforward actions a_{i,t} come from. */
    public enum Mode {
        /**
         * a = u - Kb x: the commanded action without the base's feedback part. Right when the base
         * is the controller that drew the samples.
         */
        SAMPLED,
        /**
         * a = kb + Lb eps: the action the base would have commanded with the recorded noise, without
         * its feedback part, whatever controller drew the samples; gamma_t is then the weighted
         * variance of the unit noise.
         */
        REPLAY
    }

    private Pi2Update() {
    }

    /** Standalone PI2: sampled mode on the samples' own costs, temperatures from the KL bound. */
    public static Pi2Result update(LinearGaussianController base, ConditionSamples samples, Pi2Options options) {
        return update(base, samples, samples.costs(), Mode.SAMPLED, null, options);
    }

    /**
     * @param base              the base controller (its gains are kept; in replay mode its feedforward
     *                          terms and Cholesky factors also form the actions; with damping its
     *                          covariances give the shape of the new ones)
     * @param samples           the condition's samples
     * @param costs             z, N x T, whose cost-to-go weights the samples (not necessarily the
     *                          samples' own costs)
     * @param mode              where the feedforward actions come from
     * @param fixedTemperatures eta_t per step (length T, each > 0) instead of the KL bound, or null
     *                          for the KL bound; never modified
     * @param options           the options
     * @throws IllegalArgumentException if shapes disagree or values are not finite
     * @throws Pi2FailedException       naming the step when no temperature up to
     *                                  {@link #MAX_TEMPERATURE} works
     */
    public static Pi2Result update(LinearGaussianController base, ConditionSamples samples, double[][] costs,
                                   Mode mode, double[] fixedTemperatures, Pi2Options options) {
        int n = samples.count();
        int horizon = samples.horizon();
        int dU = samples.actionDim();
        if (base.horizon() != horizon || base.actionDim() != dU || base.stateDim() != samples.stateDim()) {
            throw new IllegalArgumentException("controller " + base + " does not fit samples " + samples);
        }
        double[][] togo = costToGo(costs, n, horizon);
        if (fixedTemperatures != null) {
            if (fixedTemperatures.length != horizon) {
                throw new IllegalArgumentException("fixed temperatures: " + fixedTemperatures.length
                        + " values, expected one per step (" + horizon + ")");
            }
            for (int t = 0; t < horizon; t++) {
                if (!(fixedTemperatures[t] > 0) || !Double.isFinite(fixedTemperatures[t])) {
                    throw new IllegalArgumentException("fixed temperature[" + t + "] must be > 0 and finite, got "
                            + fixedTemperatures[t]);
                }
            }
        }
        Mat[] gains = new Mat[horizon];
        double[][] offsets = new double[horizon][];
        Mat[] covariances = new Mat[horizon];
        double[] etas = new double[horizon];
        double[] kls = new double[horizon];
        for (int t = 0; t < horizon; t++) {
            double[] z = column(togo, t);
            double eta = fixedTemperatures != null ? fixedTemperatures[t] : temperature(z, options, t);
            double[][] a = new double[n][];
            double[][] eps = new double[n][];
            Mat gain = base.gain(t);
            for (int i = 0; i < n; i++) {
                eps[i] = samples.noise(i, t);
                a[i] = mode == Mode.SAMPLED ? minus(samples.action(i, t), gain.times(samples.state(i, t)))
                        : plus(base.offset(t), base.choleskyFactor(t).times(eps[i]));
            }
            double delta = options.del0();
            Mat s;
            while (true) {
                double[] p = weights(z, eta);
                offsets[t] = weightedMean(p, a);
                s = covariance(base, t, mode, p, a, offsets[t], eps, options.covarianceDamping());
                if (isUsableCovariance(s)) {
                    break;
                }
                eta += delta;
                delta *= 2;
                if (eta >= MAX_TEMPERATURE) {
                    throw new Pi2FailedException("PI2 at step " + t + ": the covariance is not positive definite"
                            + " even at temperature " + MAX_TEMPERATURE + ": last covariance " + s
                            + ", base covariance " + base.covariance(t) + " (the samples' actions may not span"
                            + " the action space; use more samples or covariance damping)");
                }
            }
            gains[t] = Mat.of(gain.toRowArrays());
            covariances[t] = s;
            etas[t] = eta;
            kls[t] = weightKl(z, eta);
        }
        return new Pi2Result(LinearGaussianController.of(gains, offsets, covariances), etas, kls);
    }

    /**
     * The temperature per step that the KL bound alone gives for the cost array z: the smallest eta_t
     * >= min_temperature whose weights are within kl_threshold of uniform.
     *
     * @param costs z, N x T (costs, not costs-to-go), N >= 2
     */
    public static double[] temperatures(double[][] costs, Pi2Options options) {
        if (costs == null || costs.length < 2 || costs[0] == null || costs[0].length < 1) {
            throw new IllegalArgumentException("temperatures need an N x T cost array with N >= 2 and T >= 1");
        }
        double[][] togo = costToGo(costs, costs.length, costs[0].length);
        double[] etas = new double[togo[0].length];
        for (int t = 0; t < etas.length; t++) {
            etas[t] = temperature(column(togo, t), options, t);
        }
        return etas;
    }

    /**
     * KL divergence from uniform of the weights p_i proportional to exp(-costToGo_i / temperature),
     * sum_i p_i log(N p_i), evaluated without forming log(0).
     *
     * @param costToGo one step's costs-to-go, one per sample
     */
    public static double weightKl(double[] costToGo, double temperature) {
        if (costToGo.length < 1 || !(temperature > 0)) {
            throw new IllegalArgumentException("weight KL needs at least one cost-to-go and a temperature > 0, got "
                    + costToGo.length + " and " + temperature);
        }
        return klAndSpread(costToGo, temperature)[0];
    }

    /** The temperature of one step from the KL bound; t only names the step in errors. */
    static double temperature(double[] z, Pi2Options options, int t) {
        double eps = options.klThreshold();
        double fLo = weightKl(z, options.minTemperature()) - eps;
        if (fLo <= 0) {
            return options.minTemperature();
        }
        if (weightKl(z, MAX_TEMPERATURE) - eps > 0) {
            throw new Pi2FailedException("PI2 at step " + t + ": the costs-to-go spread too widely for any"
                    + " temperature up to " + MAX_TEMPERATURE + " to meet kl_threshold " + eps);
        }
        // KL falls monotonically in s = log(eta) with slope -Var_p(Z / eta), so Newton on s converges
        // fast; the bracket [lo, hi] (KL above the bound at lo, below at hi) catches the steps that
        // leave it or stall, which then bisect.
        double lo = Math.log(options.minTemperature());
        double hi = Math.log(MAX_TEMPERATURE);
        // For large eta, KL ~ Var_uniform(Z) / (2 eta^2): a start near the answer when the bound is small.
        double s = 0.5 * Math.log(uniformVariance(z) / (2 * eps));
        if (!(s > lo && s < hi)) {
            s = 0.5 * (lo + hi);
        }
        double best = s;
        double bestAbs = Double.POSITIVE_INFINITY;
        double previousAbs = Double.POSITIVE_INFINITY;
        for (int round = 0; round < MAX_SOLVER_ROUNDS; round++) {
            double[] kv = klAndSpread(z, Math.exp(s));
            double f = kv[0] - eps;
            double abs = Math.abs(f);
            if (abs < bestAbs) {
                bestAbs = abs;
                best = s;
            }
            if (abs <= KL_TOLERANCE) {
                break;
            }
            if (f > 0) {
                lo = s;
            } else {
                hi = s;
            }
            double next = s + f / kv[1];
            if (!(next > lo && next < hi) || abs > 0.5 * previousAbs) {
                next = 0.5 * (lo + hi);
            }
            previousAbs = abs;
            if (next == s) {
                break;
            }
            s = next;
        }
        return Math.exp(best);
    }

    /** {KL of the weights from uniform, Var_p(Z / eta)} at temperature eta. */
    private static double[] klAndSpread(double[] z, double eta) {
        int n = z.length;
        double min = Double.POSITIVE_INFINITY;
        for (double v : z) {
            min = Math.min(min, v);
        }
        double[] y = new double[n];
        double sum = 0;
        double sumY = 0;
        for (int i = 0; i < n; i++) {
            y[i] = (z[i] - min) / eta;
            double w = Math.exp(-y[i]);
            sum += w;
            // w = 0 where y is huge: those samples carry no weight and must not give 0 * inf.
            sumY += w == 0 ? 0 : w * y[i];
        }
        double mean = sumY / sum;
        double var = 0;
        for (int i = 0; i < n; i++) {
            double w = Math.exp(-y[i]);
            if (w != 0) {
                double d = y[i] - mean;
                var += w * d * d;
            }
        }
        // p_i = w_i / sum, log p_i = -y_i - log(sum): KL = log N - E_p[y] - log(sum), >= 0 but for round-off.
        double kl = Math.max(0.0, Math.log(n) - mean - Math.log(sum));
        return new double[] {kl, var / sum};
    }

    /** p_i proportional to exp(-(z_i - min z) / eta); the minimum is subtracted only to keep exp finite. */
    static double[] weights(double[] z, double eta) {
        double min = Double.POSITIVE_INFINITY;
        for (double v : z) {
            min = Math.min(min, v);
        }
        double[] p = new double[z.length];
        double sum = 0;
        for (int i = 0; i < z.length; i++) {
            p[i] = Math.exp(-(z[i] - min) / eta);
            sum += p[i];
        }
        for (int i = 0; i < z.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static Mat covariance(LinearGaussianController base, int t, Mode mode, double[] p, double[][] a,
                                  double[] mean, double[][] eps, double damping) {
        int dU = mean.length;
        if (mode == Mode.REPLAY) {
            // a = kb + Lb eps, so the covariance of a is Lb C_eps Lb^T and tr(Sb^{-1} C) = tr(C_eps).
            Mat cEps = weightedCovariance(p, eps, weightedMean(p, eps));
            if (damping > 0) {
                return base.covariance(t).scale(Math.pow(cEps.trace() / dU, 1.0 / damping));
            }
            Mat lb = base.choleskyFactor(t);
            return lb.times(cEps).timesTranspose(lb).symmetrize();
        }
        Mat c = weightedCovariance(p, a, mean);
        if (damping > 0) {
            double gamma = base.precision(t).traceOfProduct(c) / dU;
            return base.covariance(t).scale(Math.pow(gamma, 1.0 / damping));
        }
        return c;
    }

    private static boolean isUsableCovariance(Mat s) {
        Cholesky c = Cholesky.tryOf(s);
        // A factor so close to singular that the precision overflows is as unusable as none.
        return c != null && c.inverse().isFinite();
    }

    private static double[] weightedMean(double[] p, double[][] v) {
        double[] m = new double[v[0].length];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < m.length; j++) {
                m[j] += p[i] * v[i][j];
            }
        }
        return m;
    }

    /** sum_i p_i (v_i - mean)(v_i - mean)^T, no Bessel factor: the weights already sum to one. */
    private static Mat weightedCovariance(double[] p, double[][] v, double[] mean) {
        int d = mean.length;
        double[][] c = new double[d][d];
        double[] r = new double[d];
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < d; j++) {
                r[j] = v[i][j] - mean[j];
            }
            for (int j = 0; j < d; j++) {
                for (int k = 0; k <= j; k++) {
                    c[j][k] += p[i] * r[j] * r[k];
                }
            }
        }
        for (int j = 0; j < d; j++) {
            for (int k = j + 1; k < d; k++) {
                c[j][k] = c[k][j];
            }
        }
        return Mat.of(c);
    }

    /** Z_{i,t} = sum_{s >= t} z_{i,s}, after checking that z is n x horizon and finite. */
    private static double[][] costToGo(double[][] z, int n, int horizon) {
        if (z == null || z.length != n) {
            throw new IllegalArgumentException("costs: " + (z == null ? 0 : z.length) + " samples, expected " + n);
        }
        double[][] togo = new double[n][horizon];
        for (int i = 0; i < n; i++) {
            if (z[i] == null || z[i].length != horizon) {
                throw new IllegalArgumentException("costs[" + i + "] has " + (z[i] == null ? 0 : z[i].length)
                        + " steps, expected " + horizon);
            }
            double sum = 0;
            for (int t = horizon - 1; t >= 0; t--) {
                sum += z[i][t];
                if (!Double.isFinite(sum)) {
                    throw new IllegalArgumentException("costs[" + i + "] from step " + t
                            + " on holds NaN or infinite values or sums past the double range");
                }
                togo[i][t] = sum;
            }
        }
        return togo;
    }

    private static double uniformVariance(double[] z) {
        double mean = 0;
        for (double v : z) {
            mean += v;
        }
        mean /= z.length;
        double var = 0;
        for (double v : z) {
            var += (v - mean) * (v - mean);
        }
        return var / z.length;
    }

    private static double[] column(double[][] a, int t) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i][t];
        }
        return c;
    }

    private static double[] minus(double[] x, double[] y) {
        double[] r = x.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] -= y[i];
        }
        return r;
    }

    private static double[] plus(double[] x, double[] y) {
        double[] r = x.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] += y[i];
        }
        return r;
    }
}

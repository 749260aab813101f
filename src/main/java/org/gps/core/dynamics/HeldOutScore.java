package org.gps.core.dynamics;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * How well fitted one-step dynamics out | in ~ N(F in + f, Sigma) predict transitions they were
 * not fitted on. Kept as sums, so that the scores of time steps pool into a condition's and those
 * of conditions into an overall one by {@link #plus}; the accessors turn them into means. The
 * error conventions are the in-sample ones: a step's rmse is sqrt(sum ||e||^2 / rows), e = out -
 * (F in + f), and its relative rmse divides by the rms spread of the outputs around a baseline
 * mean (here the fit set's mean output at that step, so one held-out trajectory is enough).
 *
 * @param steps          time steps scored
 * @param transitions    transitions scored
 * @param squaredError   sum of ||e||^2 over the transitions
 * @param rmseSum        sum over the steps of each step's rmse
 * @param maxRmse        largest step rmse (0 when no step)
 * @param relativeSteps  steps whose outputs spread around the baseline (the others have no relative error)
 * @param relativeSum    sum of those steps' relative rmse
 * @param nllTransitions transitions with a negative log-likelihood (all of a step's, or none)
 * @param nllSum         sum of -log N(out; F in + f, Sigma) over them
 * @param jitteredSteps  steps whose Sigma was not positive definite and was scored as Sigma + jitter I
 * @param unscoredSteps  steps without a log-likelihood (Sigma not finite, or its density
 *                       overflowing at the held-out errors)
 */
public record HeldOutScore(int steps, long transitions, double squaredError, double rmseSum, double maxRmse,
                           int relativeSteps, double relativeSum, long nllTransitions, double nllSum,
                           int jitteredSteps, int unscoredSteps) implements Serializable {
    public static final HeldOutScore NONE = new HeldOutScore(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private static final double LOG_2PI = Math.log(2 * Math.PI);

    /**
     * Jitters tried, in order, when Sigma is not positive definite: multiples of its mean
     * diagonal magnitude from 1e-12 (below what the fits' own 1e-6 ridges add, so a merely
     * rounding-singular Sigma is barely changed) up to 1 (Sigma's own scale).
     */
    private static final double[] JITTERS = {1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1};

    /**
     * The score of one fitted step on the rows [in, out] of held-out transitions at that step.
     *
     * @param model      the step's fit
     * @param fitMean    the fit set's mean output at that step (the relative error's baseline)
     * @param rows       one row per held-out transition, at least one
     * @param inputDim   length of {@code in}
     */
    public static HeldOutScore ofStep(ConditionalGaussian model, double[] fitMean, double[][] rows, int inputDim) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("a step is scored on at least one transition");
        }
        Mat gain = model.gain();
        double[] offset = model.offset();
        int out = gain.rows();
        Cholesky factor = Cholesky.tryOf(model.covariance());
        boolean jittered = false;
        if (factor == null && model.covariance().isFinite()) {
            double scale = Math.max(meanAbsDiagonal(model.covariance()), Double.MIN_NORMAL);
            for (int i = 0; i < JITTERS.length && factor == null; i++) {
                factor = Cholesky.tryOf(model.covariance().plusDiagonal(JITTERS[i] * scale));
            }
            jittered = factor != null;
        }
        double normaliser = factor == null ? 0 : 0.5 * (out * LOG_2PI + factor.logDet());
        double sq = 0;
        double spread = 0;
        double nll = 0;
        for (double[] r : rows) {
            double[] in = java.util.Arrays.copyOfRange(r, 0, inputDim);
            double[] pred = gain.times(in);
            double[] e = new double[out];
            for (int i = 0; i < out; i++) {
                e[i] = r[inputDim + i] - pred[i] - offset[i];
                sq += e[i] * e[i];
                double d = r[inputDim + i] - fitMean[i];
                spread += d * d;
            }
            if (factor != null) {
                double[] w = factor.solveLower(e);
                double m = 0;
                for (double v : w) {
                    m += v * v;
                }
                nll += normaliser + 0.5 * m;
            }
        }
        if (!Double.isFinite(nll)) {
            // A nearly zero Sigma against a visible error: the density overflows; no likelihood
            // rather than an infinite one.
            factor = null;
            nll = 0;
        }
        double rmse = Math.sqrt(sq / rows.length);
        boolean relative = spread > 0;
        return new HeldOutScore(1, rows.length, sq, rmse, rmse, relative ? 1 : 0, relative ? Math.sqrt(sq / spread) : 0,
                factor == null ? 0 : rows.length, nll, jittered && factor != null ? 1 : 0, factor == null ? 1 : 0);
    }

    /** The pooled score of this and {@code o} (sums add; the order of additions fixes the bits). */
    public HeldOutScore plus(HeldOutScore o) {
        return new HeldOutScore(steps + o.steps, transitions + o.transitions, squaredError + o.squaredError,
                rmseSum + o.rmseSum, Math.max(maxRmse, o.maxRmse), relativeSteps + o.relativeSteps,
                relativeSum + o.relativeSum, nllTransitions + o.nllTransitions, nllSum + o.nllSum,
                jitteredSteps + o.jitteredSteps, unscoredSteps + o.unscoredSteps);
    }

    /** Mean ||e||^2 per transition (the squared error summed over the state's components); NaN when none. */
    public double meanSquaredError() {
        return transitions == 0 ? Double.NaN : squaredError / transitions;
    }

    /** Mean over the steps of each step's rmse; NaN when none. */
    public double meanRmse() {
        return steps == 0 ? Double.NaN : rmseSum / steps;
    }

    /** Mean over the steps with a spread of each step's relative rmse; NaN when none has one. */
    public double meanRelativeRmse() {
        return relativeSteps == 0 ? Double.NaN : relativeSum / relativeSteps;
    }

    /** Mean negative log-likelihood per transition with one; NaN when none. */
    public double nllPerTransition() {
        return nllTransitions == 0 ? Double.NaN : nllSum / nllTransitions;
    }

    private static double meanAbsDiagonal(Mat m) {
        double s = 0;
        for (double d : m.diagonal()) {
            s += Math.abs(d);
        }
        return s / Math.max(1, m.rows());
    }
}

package org.gps.core.policy;

import java.util.Arrays;

/**
 * The S-step's target weights and the policy covariance (docs/algorithm.md section 8).
 */
public final class TargetWeights {
    /** Weights at or below this do not count toward the median. */
    static final double MEDIAN_FLOOR = 1e-2;

    private TargetWeights() {
    }

    /**
     * Scales the weights to mean 1, caps them at twice the median of those above 1e-2, and divides
     * by that median, so a few heavy targets cannot dominate the loss. Weights must be >= 0 with a
     * positive sum; if none exceeds 1e-2 after scaling, no cap applies and the median is 1.
     */
    public static double[] normalise(double[] weights) {
        int n = weights.length;
        double sum = 0;
        for (double w : weights) {
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("target weights must be finite and >= 0, got " + w);
            }
            sum += w;
        }
        if (!(sum > 0)) {
            throw new IllegalArgumentException("target weights sum to 0");
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = weights[i] * n / sum;
        }
        double median = median(Arrays.stream(out).filter(w -> w > MEDIAN_FLOOR).toArray());
        for (int i = 0; i < n; i++) {
            out[i] = Math.min(out[i], 2 * median) / median;
        }
        return out;
    }

    /**
     * The policy's diagonal covariance: var_d = 1 / (sum over targets of P_dd / sum of weights),
     * with P the targets' precisions (row-major, dU x dU).
     */
    public static double[] policyVariance(double[][] precisions, double[] weights) {
        int du = (int) Math.round(Math.sqrt(precisions[0].length));
        double[] sumP = new double[du];
        for (double[] p : precisions) {
            for (int d = 0; d < du; d++) {
                sumP[d] += p[d * du + d];
            }
        }
        double sumW = 0;
        for (double w : weights) {
            sumW += w;
        }
        return policyVariance(sumP, sumW);
    }

    /** The same from the sums alone: sum over targets of diag(P), and the sum of their weights. */
    public static double[] policyVariance(double[] sumPrecisionDiagonal, double sumWeights) {
        double[] var = new double[sumPrecisionDiagonal.length];
        for (int d = 0; d < var.length; d++) {
            var[d] = sumWeights / sumPrecisionDiagonal[d];
        }
        return var;
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return 1.0;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
}

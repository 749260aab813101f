package org.gps.core.control;

import org.gps.core.linalg.Cholesky;
import org.gps.core.linalg.Mat;
import org.gps.core.linalg.Vec;

/**
 * min 0.5 u^T H u + g^T u subject to lower &lt;= u &lt;= upper, H positive definite: the
 * control-limited step of the backward pass. Projected Newton: Newton steps on the dimensions that
 * are not held at a bound by their gradient, an Armijo search along the projected path, until the
 * set of held dimensions and the free gradient settle. A strictly convex problem has one solution,
 * which this reaches in a few steps for the action dimensions of a controller.
 */
final class BoxQp {
    private static final int MAX_STEPS = 100;
    private static final double ARMIJO = 0.1;
    private static final double MIN_STEP = 1e-12;
    private static final double TOL = 1e-13;

    /** The minimiser and which of its components a bound holds (at the bound, gradient pointing out). */
    record Solution(double[] u, boolean[] clamped) {
        boolean anyClamped() {
            for (boolean c : clamped) {
                if (c) {
                    return true;
                }
            }
            return false;
        }
    }

    private BoxQp() {
    }

    /**
     * @param start where the search starts (projected into the box first), e.g. the unconstrained
     *              minimiser
     */
    static Solution solve(Mat h, double[] g, ActionBounds bounds, double[] start) {
        int n = g.length;
        double[] u = bounds.clip(start);
        double f = value(h, g, u);
        for (int step = 0; step < MAX_STEPS; step++) {
            double[] grad = gradient(h, g, u);
            boolean[] clamped = clamped(u, grad, bounds);
            int[] free = free(clamped);
            if (free.length == 0) {
                break;
            }
            double gradNorm = 0;
            for (int i : free) {
                gradNorm = Math.max(gradNorm, Math.abs(grad[i]));
            }
            if (gradNorm <= TOL * (1 + maxAbs(g))) {
                break;
            }
            double[] dFree = Cholesky.of(sub(h, free)).solve(Vec.scale(-1, pick(grad, free)));
            double[] d = new double[n];
            for (int j = 0; j < free.length; j++) {
                d[free[j]] = dFree[j];
            }
            double alpha = 1;
            double[] next = null;
            double fNext = f;
            while (alpha >= MIN_STEP) {
                double[] trial = new double[n];
                for (int i = 0; i < n; i++) {
                    trial[i] = u[i] + alpha * d[i];
                }
                trial = bounds.clip(trial);
                double fTrial = value(h, g, trial);
                double decrease = 0;
                for (int i = 0; i < n; i++) {
                    decrease += grad[i] * (trial[i] - u[i]);
                }
                if (fTrial <= f + ARMIJO * decrease) {
                    next = trial;
                    fNext = fTrial;
                    break;
                }
                alpha *= 0.5;
            }
            if (next == null) {
                break;
            }
            double gain = f - fNext;
            u = next;
            f = fNext;
            if (gain <= TOL * (1 + Math.abs(f))) {
                break;
            }
        }
        return new Solution(u, clamped(u, gradient(h, g, u), bounds));
    }

    static double value(Mat h, double[] g, double[] u) {
        double[] hu = h.times(u);
        double v = 0;
        for (int i = 0; i < u.length; i++) {
            v += 0.5 * u[i] * hu[i] + g[i] * u[i];
        }
        return v;
    }

    private static double[] gradient(Mat h, double[] g, double[] u) {
        double[] grad = h.times(u);
        for (int i = 0; i < grad.length; i++) {
            grad[i] += g[i];
        }
        return grad;
    }

    private static boolean[] clamped(double[] u, double[] grad, ActionBounds b) {
        boolean[] c = new boolean[u.length];
        for (int i = 0; i < u.length; i++) {
            c[i] = (u[i] <= b.lower(i) && grad[i] > 0) || (u[i] >= b.upper(i) && grad[i] < 0);
        }
        return c;
    }

    static int[] free(boolean[] clamped) {
        int count = 0;
        for (boolean c : clamped) {
            if (!c) {
                count++;
            }
        }
        int[] idx = new int[count];
        int j = 0;
        for (int i = 0; i < clamped.length; i++) {
            if (!clamped[i]) {
                idx[j++] = i;
            }
        }
        return idx;
    }

    static Mat sub(Mat m, int[] rows, int[] cols) {
        double[][] a = new double[rows.length][cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                a[i][j] = m.get(rows[i], cols[j]);
            }
        }
        return Mat.of(a);
    }

    private static Mat sub(Mat m, int[] idx) {
        return sub(m, idx, idx);
    }

    static double[] pick(double[] v, int[] idx) {
        double[] p = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            p[i] = v[idx[i]];
        }
        return p;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}

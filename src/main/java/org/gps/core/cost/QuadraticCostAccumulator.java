package org.gps.core.cost;

import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * Running sums of re-centred cost expansions (docs/algorithm.md section 2): for a sample with
 * y_t = [x_t; u_t], g_t = [lx; lu], H_t = [[lxx, lux^T], [lux, luu]], adds Cm_t = H_t,
 * cv_t = g_t - H_t y_t and cc_t = l_t - g_t . y_t + 0.5 y_t^T H_t y_t; {@link #result()} divides
 * by the number of samples. Shaped like an aggregator ({@link #add}, {@link #merge}) so the
 * samples of one condition can be summed where they live and combined afterwards. Mutable.
 */
public final class QuadraticCostAccumulator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int horizon;
    private final int dX;
    private final int dU;
    private final double[] cc;
    private final double[][] cv;
    /** Row-major (dX+dU)^2 sums of H_t; H is symmetric so the order does not matter. */
    private final double[][] cm;
    private long count;

    public int horizon() {
        return horizon;
    }

    public int stateDim() {
        return dX;
    }

    public int actionDim() {
        return dU;
    }

    public QuadraticCostAccumulator(int horizon, int dX, int dU) {
        if (horizon < 1 || dX < 1 || dU < 1) {
            throw new IllegalArgumentException("need T, dX, dU >= 1, got " + horizon + ", " + dX + ", " + dU);
        }
        this.horizon = horizon;
        this.dX = dX;
        this.dU = dU;
        int n = dX + dU;
        cc = new double[horizon];
        cv = new double[horizon][n];
        cm = new double[horizon][n * n];
    }

    public long count() {
        return count;
    }

    /** Expands {@code cost} along (x, u) and adds the re-centred expansion. */
    public QuadraticCostAccumulator add(CostFunction cost, double[][] x, double[][] u) {
        return add(cost.evaluate(x, u));
    }

    public QuadraticCostAccumulator add(CostExpansion e) {
        if (e.horizon() != horizon || e.stateDim() != dX || e.actionDim() != dU) {
            throw new IllegalArgumentException("expansion of T=" + e.horizon() + ", dX=" + e.stateDim() + ", dU="
                    + e.actionDim() + " does not match accumulator of T=" + horizon + ", dX=" + dX + ", dU=" + dU);
        }
        int n = dX + dU;
        double[] y = new double[n];
        double[] g = new double[n];
        double[] h = new double[n * n];
        double[] hy = new double[n];
        for (int t = 0; t < horizon; t++) {
            System.arraycopy(e.rawX(t), 0, y, 0, dX);
            System.arraycopy(e.rawU(t), 0, y, dX, dU);
            System.arraycopy(e.rawLx(t), 0, g, 0, dX);
            System.arraycopy(e.rawLu(t), 0, g, dX, dU);
            assembleHessian(e.rawLxx(t), e.rawLuu(t), e.rawLux(t), h);
            double gy = 0;
            double yhy = 0;
            for (int i = 0; i < n; i++) {
                double s = 0;
                int row = i * n;
                for (int j = 0; j < n; j++) {
                    s += h[row + j] * y[j];
                }
                hy[i] = s;
                gy += g[i] * y[i];
                yhy += y[i] * s;
            }
            cc[t] += e.cost(t) - gy + 0.5 * yhy;
            double[] cvt = cv[t];
            double[] cmt = cm[t];
            for (int i = 0; i < n; i++) {
                cvt[i] += g[i] - hy[i];
            }
            for (int k = 0; k < n * n; k++) {
                cmt[k] += h[k];
            }
        }
        count++;
        return this;
    }

    /** Adds another accumulator's sums (same shape) into this one. */
    public QuadraticCostAccumulator merge(QuadraticCostAccumulator other) {
        if (other.horizon != horizon || other.dX != dX || other.dU != dU) {
            throw new IllegalArgumentException("cannot merge accumulators of different shapes");
        }
        for (int t = 0; t < horizon; t++) {
            cc[t] += other.cc[t];
            for (int i = 0; i < cv[t].length; i++) {
                cv[t][i] += other.cv[t][i];
            }
            for (int i = 0; i < cm[t].length; i++) {
                cm[t][i] += other.cm[t][i];
            }
        }
        count += other.count;
        return this;
    }

    /** The average over the samples added so far. */
    public QuadraticCostModel result() {
        if (count == 0) {
            throw new IllegalStateException("no sample was added: a quadratic cost model needs at least one");
        }
        int n = dX + dU;
        double inv = 1.0 / count;
        double[] c = new double[horizon];
        double[][] v = new double[horizon][n];
        Mat[] m = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            c[t] = cc[t] * inv;
            for (int i = 0; i < n; i++) {
                v[t][i] = cv[t][i] * inv;
            }
            double[] a = new double[n * n];
            // Symmetrise while scaling: the terms write lxx and luu symmetric already, but a
            // user-written term might not, and the LQR assumes Cm symmetric.
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    a[j * n + i] = 0.5 * (cm[t][i * n + j] + cm[t][j * n + i]) * inv;
                }
            }
            m[t] = Mat.fromColumnMajor(n, n, a);
        }
        return QuadraticCostModel.wrap(dX, c, v, m);
    }

    private void assembleHessian(double[] lxx, double[] luu, double[] lux, double[] h) {
        int n = dX + dU;
        for (int i = 0; i < dX; i++) {
            System.arraycopy(lxx, i * dX, h, i * n, dX);
        }
        for (int i = 0; i < dU; i++) {
            int row = (dX + i) * n;
            System.arraycopy(lux, i * dX, h, row, dX);
            System.arraycopy(luu, i * dU, h, row + dX, dU);
            for (int j = 0; j < dX; j++) {
                h[j * n + dX + i] = lux[i * dX + j];
            }
        }
    }
}

package org.gps.core.control;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The N samples of one condition over a horizon of T steps, as a PI2 update reads them: states
 * x_{i,t} (dX), the actions the controller commanded u_{i,t} (dU, before any clipping by the
 * environment), the unit noise eps_{i,t} (dU) the controller drew for them, and the costs c_{i,t}.
 * Immutable: the constructor copies its arrays and every accessor returns a copy.
 */
public final class ConditionSamples implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[][][] x;
    private final double[][][] u;
    private final double[][][] eps;
    private final double[][] c;

    /**
     * @param x   states, N x T x dX
     * @param u   commanded actions, N x T x dU
     * @param eps unit noise, N x T x dU
     * @param c   costs, N x T
     * @throws IllegalArgumentException naming the array and index if N < 2, if shapes disagree or if
     *                                  a value is NaN or infinite
     */
    public ConditionSamples(double[][][] x, double[][][] u, double[][][] eps, double[][] c) {
        if (x == null || u == null || eps == null || c == null) {
            throw new IllegalArgumentException("samples need states, actions, noise and costs, got a null array");
        }
        int n = x.length;
        if (n < 2) {
            // One sample gives a zero covariance whatever the temperature: no PI2 update exists.
            throw new IllegalArgumentException("PI2 needs at least 2 samples per condition, got " + n);
        }
        if (u.length != n || eps.length != n || c.length != n) {
            throw new IllegalArgumentException("states, actions, noise and costs must hold the same number of samples,"
                    + " got " + n + ", " + u.length + ", " + eps.length + ", " + c.length);
        }
        int horizon = x[0] == null ? 0 : x[0].length;
        if (horizon < 1) {
            throw new IllegalArgumentException("samples need a horizon T >= 1, x[0] has " + horizon + " steps");
        }
        int dX = x[0][0] == null ? 0 : x[0][0].length;
        int dU = u[0] == null || u[0].length == 0 || u[0][0] == null ? 0 : u[0][0].length;
        if (dX < 1 || dU < 1) {
            throw new IllegalArgumentException("samples need dX >= 1 and dU >= 1, got dX=" + dX + ", dU=" + dU);
        }
        this.x = copy("x", x, horizon, dX);
        this.u = copy("u", u, horizon, dU);
        this.eps = copy("eps", eps, horizon, dU);
        this.c = new double[n][];
        for (int i = 0; i < n; i++) {
            this.c[i] = copyRow("c[" + i + "]", c[i], horizon);
        }
    }

    private static double[][][] copy(String name, double[][][] a, int horizon, int dim) {
        double[][][] out = new double[a.length][horizon][];
        for (int i = 0; i < a.length; i++) {
            if (a[i] == null || a[i].length != horizon) {
                throw new IllegalArgumentException(name + "[" + i + "] has " + (a[i] == null ? 0 : a[i].length)
                        + " steps, expected " + horizon);
            }
            for (int t = 0; t < horizon; t++) {
                out[i][t] = copyRow(name + "[" + i + "][" + t + "]", a[i][t], dim);
            }
        }
        return out;
    }

    private static double[] copyRow(String name, double[] row, int length) {
        if (row == null || row.length != length) {
            throw new IllegalArgumentException(name + " has " + (row == null ? 0 : row.length) + " values, expected "
                    + length);
        }
        for (double v : row) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name + " holds NaN or infinite values");
            }
        }
        return row.clone();
    }

    /** N, the number of samples. */
    public int count() {
        return x.length;
    }

    /** T. */
    public int horizon() {
        return x[0].length;
    }

    public int stateDim() {
        return x[0][0].length;
    }

    public int actionDim() {
        return u[0][0].length;
    }

    /** x_{i,t} (a copy). */
    public double[] state(int i, int t) {
        return x[i][t].clone();
    }

    /** u_{i,t}, the commanded action (a copy). */
    public double[] action(int i, int t) {
        return u[i][t].clone();
    }

    /** eps_{i,t}, the unit noise (a copy). */
    public double[] noise(int i, int t) {
        return eps[i][t].clone();
    }

    /** c_{i,t}. */
    public double cost(int i, int t) {
        return c[i][t];
    }

    /** All costs, N x T (a copy). */
    public double[][] costs() {
        double[][] out = new double[c.length][];
        for (int i = 0; i < c.length; i++) {
            out[i] = c[i].clone();
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConditionSamples s && Arrays.deepEquals(s.x, x) && Arrays.deepEquals(s.u, u)
                && Arrays.deepEquals(s.eps, eps) && Arrays.deepEquals(s.c, c);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(c) * 31 + Arrays.deepHashCode(u);
    }

    @Override
    public String toString() {
        return "ConditionSamples[N=" + count() + ", T=" + horizon() + ", dX=" + stateDim() + ", dU=" + actionDim()
                + "]";
    }
}

package org.gps.core.cost;

import org.gps.core.linalg.Mat;

import java.io.Serializable;

/**
 * The cost of one trajectory and its second-order expansion at every step (docs/algorithm.md
 * section 2): l_t, lx_t (dX), lu_t (dU), lxx_t (dX x dX), luu_t (dU x dU), lux_t (dU x dX),
 * together with the point (x_t, u_t) the expansion was taken at, which the re-centring in
 * {@link QuadraticCostAccumulator} needs. Immutable.
 *
 * <p>Second derivatives are kept as flat row-major arrays per step rather than {@link Mat}s:
 * the cost terms write them in place through {@link Builder} and the accumulator reads them in
 * one tight loop, which is what makes expanding thousands of samples cheap.
 */
public final class CostExpansion implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dX;
    private final int dU;
    private final double[][] x;
    private final double[][] u;
    private final double[] l;
    private final double[][] lx;
    private final double[][] lu;
    private final double[][] lxx;
    private final double[][] luu;
    private final double[][] lux;

    private CostExpansion(Builder b) {
        this.dX = b.dX;
        this.dU = b.dU;
        this.x = b.x;
        this.u = b.u;
        this.l = b.l;
        this.lx = b.lx;
        this.lu = b.lu;
        this.lxx = b.lxx;
        this.luu = b.luu;
        this.lux = b.lux;
    }

    /**
     * A builder for the trajectory (x, u), starting from a zero cost. Cost terms add their
     * contributions with {@link CostFunction#addTo}; {@link Builder#build()} hands the arrays over.
     *
     * @param x states, T rows of dX
     * @param u actions, T rows of dU
     */
    public static Builder builder(double[][] x, double[][] u) {
        return new Builder(x, u);
    }

    public int horizon() {
        return l.length;
    }

    public int stateDim() {
        return dX;
    }

    public int actionDim() {
        return dU;
    }

    /** x_t the expansion was taken at (a copy). */
    public double[] x(int t) {
        return x[t].clone();
    }

    /** u_t the expansion was taken at (a copy). */
    public double[] u(int t) {
        return u[t].clone();
    }

    /** l_t. */
    public double cost(int t) {
        return l[t];
    }

    /** The true cost of the trajectory, sum_t l_t (docs/algorithm.md section 2). */
    public double totalCost() {
        double s = 0;
        for (double v : l) {
            s += v;
        }
        return s;
    }

    /** l_t for every t (a copy). */
    public double[] costs() {
        return l.clone();
    }

    public double[] lx(int t) {
        return lx[t].clone();
    }

    public double[] lu(int t) {
        return lu[t].clone();
    }

    public Mat lxx(int t) {
        return Mat.fromRowMajor(dX, dX, lxx[t]);
    }

    public Mat luu(int t) {
        return Mat.fromRowMajor(dU, dU, luu[t]);
    }

    /** d^2 l / du dx, dU x dX. */
    public Mat lux(int t) {
        return Mat.fromRowMajor(dU, dX, lux[t]);
    }

    // Package-private views for the accumulator's inner loop; never mutated after build().
    double[] rawX(int t) {
        return x[t];
    }

    double[] rawU(int t) {
        return u[t];
    }

    double[] rawLx(int t) {
        return lx[t];
    }

    double[] rawLu(int t) {
        return lu[t];
    }

    double[] rawLxx(int t) {
        return lxx[t];
    }

    double[] rawLuu(int t) {
        return luu[t];
    }

    double[] rawLux(int t) {
        return lux[t];
    }

    @Override
    public String toString() {
        return "CostExpansion[T=" + horizon() + ", dX=" + dX + ", dU=" + dU + ", total=" + totalCost() + "]";
    }

    /**
     * Mutable accumulator of one trajectory's expansion. Cost terms add into the arrays it
     * exposes; once {@link #build()} is called the builder must not be used again.
     */
    public static final class Builder {
        private final int dX;
        private final int dU;
        private final double[][] x;
        private final double[][] u;
        private final double[] l;
        private final double[][] lx;
        private final double[][] lu;
        private final double[][] lxx;
        private final double[][] luu;
        private final double[][] lux;
        private boolean built;

        private Builder(double[][] xs, double[][] us) {
            int horizon = xs.length;
            if (horizon == 0 || us.length != horizon) {
                throw new IllegalArgumentException("a trajectory needs T >= 1 states and as many actions, got "
                        + xs.length + " states and " + us.length + " actions");
            }
            dX = xs[0].length;
            dU = us[0].length;
            x = new double[horizon][];
            u = new double[horizon][];
            for (int t = 0; t < horizon; t++) {
                if (xs[t].length != dX || us[t].length != dU) {
                    throw new IllegalArgumentException("step " + t + " has a state of " + xs[t].length
                            + " and an action of " + us[t].length + ", expected " + dX + " and " + dU);
                }
                x[t] = xs[t].clone();
                u[t] = us[t].clone();
                for (int i = 0; i < dX; i++) {
                    if (!Double.isFinite(x[t][i])) {
                        throw new IllegalArgumentException("x[" + t + "][" + i + "] is " + x[t][i]);
                    }
                }
                for (int i = 0; i < dU; i++) {
                    if (!Double.isFinite(u[t][i])) {
                        throw new IllegalArgumentException("u[" + t + "][" + i + "] is " + u[t][i]);
                    }
                }
            }
            l = new double[horizon];
            lx = new double[horizon][dX];
            lu = new double[horizon][dU];
            lxx = new double[horizon][dX * dX];
            luu = new double[horizon][dU * dU];
            lux = new double[horizon][dU * dX];
        }

        public int horizon() {
            return l.length;
        }

        public int stateDim() {
            return dX;
        }

        public int actionDim() {
            return dU;
        }

        /** x_t, read-only by contract. */
        public double[] state(int t) {
            return x[t];
        }

        /** u_t, read-only by contract. */
        public double[] action(int t) {
            return u[t];
        }

        public void addCost(int t, double value) {
            check();
            l[t] += value;
        }

        /** lx_t, to add into in place (length dX). */
        public double[] lx(int t) {
            check();
            return lx[t];
        }

        /** lu_t, to add into in place (length dU). */
        public double[] lu(int t) {
            check();
            return lu[t];
        }

        /** lxx_t row-major (dX * dX), to add into in place. */
        public double[] lxx(int t) {
            check();
            return lxx[t];
        }

        /** luu_t row-major (dU * dU), to add into in place. */
        public double[] luu(int t) {
            check();
            return luu[t];
        }

        /** lux_t row-major (dU rows of dX), to add into in place. */
        public double[] lux(int t) {
            check();
            return lux[t];
        }

        public CostExpansion build() {
            check();
            built = true;
            return new CostExpansion(this);
        }

        private void check() {
            if (built) {
                throw new IllegalStateException("builder already used");
            }
        }
    }
}

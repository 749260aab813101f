package org.gps.core.cost;

import org.gps.core.linalg.Mat;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * The quadratic model of the cost that the C-step optimises (docs/algorithm.md section 2): for every
 * step t, with y = [x; u], l_t(y) ~ cc_t + cv_t . y + 0.5 y^T Cm_t y. Built by re-centring each
 * sample's expansion at the origin of y and averaging over the samples of one condition
 * ({@link QuadraticCostAccumulator}). Immutable.
 */
public final class QuadraticCostModel implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int dX;
    private final double[] cc;
    private final double[][] cv;
    private final Mat[] cm;

    private QuadraticCostModel(int dX, double[] cc, double[][] cv, Mat[] cm) {
        this.dX = dX;
        this.cc = cc;
        this.cv = cv;
        this.cm = cm;
    }

    /**
     * @param stateDim dX
     * @param cc       constant terms, one per step
     * @param cv       linear terms, one (dX+dU) vector per step
     * @param cm       quadratic terms, one (dX+dU) square matrix per step (symmetrised here)
     */
    public static QuadraticCostModel of(int stateDim, double[] cc, double[][] cv, Mat[] cm) {
        int horizon = cc.length;
        if (horizon == 0 || cv.length != horizon || cm.length != horizon) {
            throw new IllegalArgumentException("quadratic cost needs T >= 1 constant, linear and quadratic terms of equal "
                    + "count, got " + cc.length + ", " + cv.length + ", " + cm.length);
        }
        int dXU = cv[0].length;
        if (stateDim < 1 || stateDim >= dXU) {
            throw new IllegalArgumentException("state size " + stateDim + " does not fit terms of size " + dXU);
        }
        double[][] v = new double[horizon][];
        Mat[] m = new Mat[horizon];
        for (int t = 0; t < horizon; t++) {
            if (cv[t].length != dXU || cm[t].rows() != dXU || cm[t].cols() != dXU) {
                throw new IllegalArgumentException("step " + t + ": cv has " + cv[t].length + " values and Cm is "
                        + cm[t].shape() + ", expected " + dXU + " and " + dXU + "x" + dXU);
            }
            v[t] = cv[t].clone();
            m[t] = cm[t].symmetrize();
        }
        return new QuadraticCostModel(stateDim, cc.clone(), v, m);
    }

    /** Package-private: takes ownership of the arrays. */
    static QuadraticCostModel wrap(int stateDim, double[] cc, double[][] cv, Mat[] cm) {
        return new QuadraticCostModel(stateDim, cc, cv, cm);
    }

    /** Re-centred average of the expansions of one condition's samples (docs/algorithm.md section 2). */
    public static QuadraticCostModel average(List<CostExpansion> samples) {
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("a quadratic cost model needs at least one sample expansion");
        }
        QuadraticCostAccumulator acc = new QuadraticCostAccumulator(samples.get(0).horizon(),
                samples.get(0).stateDim(), samples.get(0).actionDim());
        for (CostExpansion e : samples) {
            acc.add(e);
        }
        return acc.result();
    }

    public int horizon() {
        return cc.length;
    }

    public int stateDim() {
        return dX;
    }

    public int actionDim() {
        return cv[0].length - dX;
    }

    /** cc_t. */
    public double constant(int t) {
        return cc[t];
    }

    /** cv_t (a copy). */
    public double[] linear(int t) {
        return cv[t].clone();
    }

    /** Cm_t, symmetric. */
    public Mat quadratic(int t) {
        return cm[t];
    }

    /** The model's cost at step t for y = [x; u]: cc_t + cv_t . y + 0.5 y^T Cm_t y. */
    public double valueAt(int t, double[] y) {
        if (y.length != cv[t].length) {
            throw new IllegalArgumentException("y has " + y.length + " values, expected " + cv[t].length);
        }
        double s = cc[t];
        double[] cy = cm[t].times(y);
        for (int i = 0; i < y.length; i++) {
            s += y[i] * (cv[t][i] + 0.5 * cy[i]);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QuadraticCostModel q && q.dX == dX && Arrays.equals(q.cc, cc) && Arrays.deepEquals(q.cv, cv)
                && Arrays.equals(q.cm, cm);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(cc);
    }

    @Override
    public String toString() {
        return "QuadraticCostModel[T=" + horizon() + ", dX=" + dX + ", dU=" + actionDim() + "]";
    }
}

package org.gps.core.control;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The box of actions a plant can apply, lower[i] &lt;= u[i] &lt;= upper[i] (a bound may be
 * infinite). A plant with limits applies {@link #clip}(u) whatever is commanded; the C-step plans
 * within the box when given one ({@link LqrBackwardPass}).
 */
public record ActionBounds(double[] lower, double[] upper) implements Serializable {
    public ActionBounds {
        if (lower.length != upper.length || lower.length == 0) {
            throw new IllegalArgumentException("action bounds need as many lower as upper values (at least one), got "
                    + lower.length + " and " + upper.length);
        }
        for (int i = 0; i < lower.length; i++) {
            if (Double.isNaN(lower[i]) || Double.isNaN(upper[i]) || !(lower[i] < upper[i])) {
                throw new IllegalArgumentException("action bound " + i + ": need lower < upper, got [" + lower[i]
                        + ", " + upper[i] + "]");
            }
        }
        lower = lower.clone();
        upper = upper.clone();
    }

    /** The symmetric box [-limit, limit] in every one of {@code dU} dimensions. */
    public static ActionBounds symmetric(int dU, double limit) {
        double[] lo = new double[dU];
        double[] hi = new double[dU];
        Arrays.fill(lo, -limit);
        Arrays.fill(hi, limit);
        return new ActionBounds(lo, hi);
    }

    public int actionDim() {
        return lower.length;
    }

    @Override
    public double[] lower() {
        return lower.clone();
    }

    @Override
    public double[] upper() {
        return upper.clone();
    }

    double lower(int i) {
        return lower[i];
    }

    double upper(int i) {
        return upper[i];
    }

    /** {@code u} with every component moved into the box (a new array). */
    public double[] clip(double[] u) {
        if (u.length != lower.length) {
            throw new IllegalArgumentException(u.length + " actions for bounds of dimension " + lower.length);
        }
        double[] c = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            c[i] = Math.min(Math.max(u[i], lower[i]), upper[i]);
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ActionBounds b && Arrays.equals(lower, b.lower) && Arrays.equals(upper, b.upper);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(lower) + Arrays.hashCode(upper);
    }

    @Override
    public String toString() {
        return "ActionBounds" + Arrays.toString(lower) + ".." + Arrays.toString(upper);
    }
}

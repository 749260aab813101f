package org.gps.core.control;

import java.io.Serializable;

/**
 * A per-step value that moves linearly from {@code start} at t = 0 to {@code end} at t = T-1, both
 * ends included: value_t = start + (end - start) t / (T - 1), and {@code start} alone when T = 1.
 * Written once and laid out for whatever horizon it is used with, so a setting made for one T fits
 * every other; a scalar setting is the ramp with equal ends ({@link #constant}). Unlike the cost
 * weights' {@link org.gps.core.cost.RampOption}, which scales a weight by a shape such as (t+1)/T,
 * this interpolates between two given values.
 */
public record Ramp(double start, double end) implements Serializable {
    public Ramp {
        if (!Double.isFinite(start) || !Double.isFinite(end)) {
            throw new IllegalArgumentException("ramp ends must be finite, got " + start + " -> " + end);
        }
    }

    /** The same value at every step. */
    public static Ramp constant(double value) {
        return new Ramp(value, value);
    }

    /** value_t for t = 0..T-1. */
    public double[] values(int horizon) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
        }
        double[] v = new double[horizon];
        for (int t = 0; t < horizon - 1; t++) {
            v[t] = start + (end - start) * t / (horizon - 1);
        }
        // Set rather than interpolated, so the last step gets the end value exactly.
        v[horizon - 1] = horizon == 1 ? start : end;
        return v;
    }

    /** The smaller of the two ends: the least value at any step, whatever T. */
    public double min() {
        return Math.min(start, end);
    }

    @Override
    public String toString() {
        return start == end ? Double.toString(start) : start + " -> " + end;
    }
}

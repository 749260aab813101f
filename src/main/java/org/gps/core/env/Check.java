package org.gps.core.env;

import org.gps.core.BadInputException;

/** Argument checks shared by the environments. */
final class Check {
    private Check() {
    }

    /** A programming error (wrong vector size passed in code), not a user error. */
    static void length(String what, double[] v, int n) {
        if (v == null || v.length != n) {
            throw new IllegalArgumentException(what + ": expected " + n + " values, got "
                    + (v == null ? "null" : Integer.toString(v.length)));
        }
    }

    static void finite(String key, double[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new BadInputException(key + ": value " + i + " is " + v[i] + ", expected a finite number");
            }
        }
    }

    static double[] configured(String key, double[] v) {
        if (v == null) {
            throw new BadInputException(key + ": missing");
        }
        finite(key, v);
        return v;
    }

    static void positive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and > 0, got " + v);
        }
    }

    static void nonNegative(String what, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite and >= 0, got " + v);
        }
    }
}

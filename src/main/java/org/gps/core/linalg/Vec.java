package org.gps.core.linalg;

/** Plain-array vector helpers used by the math core's inner loops. */
public final class Vec {
    private Vec() {
    }

    public static double dot(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("dot of vectors of " + x.length + " and " + y.length);
        }
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    public static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    public static double mean(double[] x) {
        return sum(x) / x.length;
    }

    /** Population standard deviation (divided by the count), as the run logs report spreads. */
    public static double std(double[] x) {
        double m = mean(x);
        double s = 0;
        for (double v : x) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / x.length);
    }

    public static double[] plus(double[] x, double[] y) {
        requireSame(x, y);
        double[] z = x.clone();
        for (int i = 0; i < z.length; i++) {
            z[i] += y[i];
        }
        return z;
    }

    public static double[] minus(double[] x, double[] y) {
        requireSame(x, y);
        double[] z = x.clone();
        for (int i = 0; i < z.length; i++) {
            z[i] -= y[i];
        }
        return z;
    }

    public static double[] scale(double s, double[] x) {
        double[] z = x.clone();
        for (int i = 0; i < z.length; i++) {
            z[i] *= s;
        }
        return z;
    }

    public static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] out = new double[n];
        int o = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    public static double[] slice(double[] x, int from, int to) {
        return java.util.Arrays.copyOfRange(x, from, to);
    }

    public static boolean isFinite(double[] x) {
        for (double v : x) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    public static double maxAbsDiff(double[] x, double[] y) {
        requireSame(x, y);
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    /** log(sum(exp(v))) without overflow; -inf for an all -inf vector. */
    public static double logSumExp(double[] v) {
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - max);
        }
        return max + Math.log(s);
    }

    private static void requireSame(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("vectors of " + x.length + " and " + y.length);
        }
    }
}

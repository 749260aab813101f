package org.gps.core.random;

import java.util.SplittableRandom;

/**
 * Points of the unit cube [0, 1)^d spread evenly by an additive recurrence: point i is
 * frac(s + i * alpha), with alpha_j = g^-j, g the unique positive root of x^(d+1) = x + 1 (the
 * golden ratio for d = 1, the plastic number for d = 2), and s a shift drawn uniformly (Roberts'
 * R_d sequence with a Cranley-Patterson rotation). Every point is uniform on the cube, so a mean
 * over them estimates an expectation without bias, as independent draws do; but the points leave
 * no gaps or clusters, so for a function that is smooth in most of the cube the estimate's error
 * falls about as 1/n instead of 1/sqrt(n). Whatever n, the first n points are already even.
 */
public final class KroneckerPoints {
    private KroneckerPoints() {
    }

    /** The recurrence's step alpha in d dimensions: g^-1, ..., g^-d with g^(d+1) = g + 1. */
    public static double[] step(int d) {
        if (d < 1) {
            throw new IllegalArgumentException("dimension must be >= 1, got " + d);
        }
        double g = 1.5;
        // The map g -> (1 + g)^(1/(d+1)) contracts towards the root (its slope is below 1/(d+1)).
        for (int k = 0; k < 200; k++) {
            g = Math.pow(1.0 + g, 1.0 / (d + 1));
        }
        double[] alpha = new double[d];
        double a = 1.0;
        for (int j = 0; j < d; j++) {
            a /= g;
            alpha[j] = a;
        }
        return alpha;
    }

    /** {@code n} points in [0, 1)^d, the shift s drawn from {@code rng} (d draws, one per dimension). */
    public static double[][] shifted(int n, int d, SplittableRandom rng) {
        if (n < 0) {
            throw new IllegalArgumentException("point count must be >= 0, got " + n);
        }
        double[] alpha = step(d);
        double[] shift = new double[d];
        for (int j = 0; j < d; j++) {
            shift[j] = rng.nextDouble();
        }
        double[][] points = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double v = shift[j] + i * alpha[j];
                v -= Math.floor(v);
                // Rounding can land a sum just below an integer on 1.0 exactly; the cube is half-open.
                points[i][j] = v < 1.0 ? v : Math.nextDown(1.0);
            }
        }
        return points;
    }
}

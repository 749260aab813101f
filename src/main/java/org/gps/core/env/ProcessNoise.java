package org.gps.core.env;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Additive Gaussian process noise std .* eps, eps ~ N(0, I), where eps of step t is a pure
 * function of (episode seed, t). Keeping no generator state means an environment reproduces its
 * noise after serialization and that two episodes with different seeds never share a stream.
 */
final class ProcessNoise implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double[] std;
    private final boolean zero;

    ProcessNoise(double[] std) {
        this.std = std.clone();
        boolean allZero = true;
        for (double s : std) {
            if (!(s >= 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("noise standard deviations must be finite and >= 0, got " + s);
            }
            allZero &= s == 0;
        }
        this.zero = allZero;
    }

    double[] std() {
        return std.clone();
    }

    boolean isZero() {
        return zero;
    }

    /** Adds the noise of step {@code t} of the episode with {@code seed} to {@code x} in place. */
    void addTo(double[] x, long seed, long t) {
        if (zero) {
            return;
        }
        SplittableRandom rng = new SplittableRandom(streamSeed(seed, t));
        for (int i = 0; i < x.length; i++) {
            // Draw for every dimension, even a noiseless one, so that which eps_i a dimension gets
            // does not depend on the other dimensions' std.
            double eps = rng.nextGaussian();
            x[i] += std[i] * eps;
        }
    }

    /** Decorrelates (seed, t) pairs: nearby seeds and steps give unrelated streams. */
    static long streamSeed(long seed, long t) {
        return mix64(seed ^ mix64(t + 0x9E3779B97F4A7C15L));
    }

    /** The 64-bit finaliser of MurmurHash3 (a bijection with good avalanche). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}

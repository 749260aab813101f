package org.gps.core.cost;

/**
 * How a state cost's weights grow over the horizon (docs/algorithm.md section 2). The last step is
 * additionally multiplied by {@code wp_final_multiplier} in every mode.
 */
public enum RampOption {
    /** 1 at every step. */
    CONSTANT,
    /** (t+1)/T. */
    LINEAR,
    /** ((t+1)/T)^2. */
    QUADRATIC,
    /** 0 except 1 at the last step. */
    FINAL_ONLY;

    /** The multiplier of every step t = 0..T-1, the last one times {@code finalMultiplier}. */
    public double[] multipliers(int horizon, double finalMultiplier) {
        if (horizon < 1) {
            throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
        }
        double[] m = new double[horizon];
        for (int t = 0; t < horizon; t++) {
            double frac = (t + 1) / (double) horizon;
            m[t] = switch (this) {
                case CONSTANT -> 1.0;
                case LINEAR -> frac;
                case QUADRATIC -> frac * frac;
                case FINAL_ONLY -> t == horizon - 1 ? 1.0 : 0.0;
            };
        }
        m[horizon - 1] *= finalMultiplier;
        return m;
    }
}

package org.gps.pipeline.config;

import java.util.Locale;

/**
 * The largest sizes a config may ask for, checked when the config is read, so that a run that
 * could never fit is refused at once with the bound named, before anything is written (a horizon
 * of two billion steps otherwise ends in an OutOfMemoryError minutes later, a run directory half
 * made). The bounds follow what the steps allocate; docs/formats.md lists them with their reasons.
 */
final class ConfigBounds {
    static final int MAX_ITERATIONS = 9_999;
    /** Time steps: far beyond GPS's usual 100-500, and one task still holds a condition's whole (T, N) block. */
    static final int MAX_HORIZON = 1_000_000;
    /** Samples per condition and iteration: one task fits a condition's samples together. */
    static final int MAX_SAMPLES = 100_000;
    /** Conditions: the driver collects one controller and one dynamics model per condition. */
    static final int MAX_CONDITIONS = 100_000;
    /** State, action and observation sizes: every time step factors (dX + dU)-square matrices. */
    static final int MAX_DIMENSION = 4_096;
    /** Units in one hidden layer of the policy network. */
    static final int MAX_HIDDEN_UNITS = 65_536;
    /**
     * Doubles (1 GiB) one holder is planned for: the driver, which collects one iteration's
     * controllers and dynamics, and one task, which holds a condition's rollouts and the C-step's
     * per-step matrices (an executor of jobs/submit's default 4 GB runs two tasks).
     */
    static final long BUDGET_DOUBLES = 1L << 27;

    private ConfigBounds() {
    }

    static void atMost(ConfigNode c, String key, long value, long max, String what) {
        if (value > max) {
            throw c.error(c.key(key), String.format(Locale.ROOT, "%d exceeds %d, the most %s", value, max, what));
        }
    }

    /**
     * Doubles the driver holds per condition and time step: the dynamics (Fm, fv, covariance) and the
     * controller (K, k and the covariance with its Cholesky factor and inverse).
     */
    static long driverDoublesPerStep(long dX, long dU) {
        return dX * (dX + dU) + dX + dX * dX + dU * dX + dU + 3 * dU * dU;
    }

    /**
     * Doubles one task holds per time step of one condition: the N samples' states, actions and
     * cost, and the C-step's joint marginals, cost expansion and Q-function ((dX + dU)-square each,
     * with the dynamics).
     */
    static long taskDoublesPerStep(long dX, long dU, long samples) {
        long d = dX + dU;
        return samples * (d + 1) + 4 * d * d + driverDoublesPerStep(dX, dU);
    }

    /** Refuses sizes whose models or per-task blocks exceed {@link #BUDGET_DOUBLES}; names horizon, the usual culprit. */
    static void checkMemory(ConfigNode c, int horizon, int samples, int conditions, int dX, int dU) {
        long driver = (long) conditions * horizon * driverDoublesPerStep(dX, dU);
        if (driver > BUDGET_DOUBLES) {
            throw c.error(c.key("horizon"), String.format(Locale.ROOT,
                    "%d steps x %d conditions (dX=%d, dU=%d) make one iteration's controllers and dynamics %s, "
                            + "above the %s the driver is planned to hold; shorten the horizon or use fewer conditions",
                    horizon, conditions, dX, dU, gib(driver), gib(BUDGET_DOUBLES)));
        }
        long task = (long) horizon * taskDoublesPerStep(dX, dU, samples);
        if (task > BUDGET_DOUBLES) {
            throw c.error(c.key("horizon"), String.format(Locale.ROOT,
                    "%d steps x %d samples (dX=%d, dU=%d) make one condition's rollouts and C-step %s, "
                            + "above the %s one task is planned to hold; shorten the horizon or take fewer samples",
                    horizon, samples, dX, dU, gib(task), gib(BUDGET_DOUBLES)));
        }
    }

    /**
     * Parameter-sized vectors the S-step keeps: L-BFGS's 10 correction pairs, the parameters, the
     * gradient and the line search's trial point and its gradient.
     */
    static final int VECTORS_PER_PARAMETER = 24;

    /** The policy network's parameters with the optimiser's vectors ({@link #VECTORS_PER_PARAMETER}). */
    static void checkNetwork(ConfigNode n, int[] layerSizes) {
        long params = 0;
        for (int i = 0; i + 1 < layerSizes.length; i++) {
            params += (long) layerSizes[i] * layerSizes[i + 1] + layerSizes[i + 1];
        }
        long held = VECTORS_PER_PARAMETER * params;
        if (held > BUDGET_DOUBLES) {
            throw n.error(n.key("hidden"), String.format(Locale.ROOT,
                    "the network has %d parameters; with the L-BFGS optimiser's vectors that is %s, above the %s "
                            + "the driver is planned to hold; use narrower or fewer layers", params, gib(held),
                    gib(BUDGET_DOUBLES)));
        }
    }

    private static String gib(long doubles) {
        return String.format(Locale.ROOT, "%.1f GiB", doubles * 8.0 / (1L << 30));
    }
}

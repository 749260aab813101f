package org.gps.core.sample;

import java.io.Serializable;

/**
 * One rollout in memory: states x[t], commanded actions u[t], observations o[t] for t = 0..T-1,
 * and, when known, the actions the plant applied, uApplied[t] (u clipped to the environment's
 * limits). Used inside tasks and tests; rollouts at rest live in the Parquet schema
 * (docs/rollout-schema.md).
 *
 * @param uApplied the applied actions, each of u's length; null when they were not recorded
 *                 (logged data may leave them out)
 */
public record Trajectory(double[][] x, double[][] u, double[][] o, double[][] uApplied) implements Serializable {
    public Trajectory {
        if (x.length != u.length || x.length != o.length) {
            throw new IllegalArgumentException("x, u, o must have the same number of steps: " + x.length + ", "
                    + u.length + ", " + o.length);
        }
        if (uApplied != null && uApplied.length != u.length) {
            throw new IllegalArgumentException("u and uApplied must have the same number of steps: " + u.length
                    + ", " + uApplied.length);
        }
    }

    /** A trajectory whose applied actions were not recorded. */
    public Trajectory(double[][] x, double[][] u, double[][] o) {
        this(x, u, o, null);
    }

    public int horizon() {
        return x.length;
    }

    /** Whether the applied actions were recorded. */
    public boolean hasAppliedActions() {
        return uApplied != null;
    }
}

package org.gps.core.sample;

import java.io.Serializable;

/**
 * One rollout in memory: states x[t], actions u[t], observations o[t] for t = 0..T-1.
 * Used inside tasks and tests; rollouts at rest live in the Parquet schema (docs/rollout-schema.md).
 */
public record Trajectory(double[][] x, double[][] u, double[][] o) implements Serializable {
    public Trajectory {
        if (x.length != u.length || x.length != o.length) {
            throw new IllegalArgumentException("x, u, o must have the same number of steps: " + x.length + ", "
                    + u.length + ", " + o.length);
        }
    }

    public int horizon() {
        return x.length;
    }
}

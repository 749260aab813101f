package org.gps.io;

import java.util.List;
import java.util.Map;

/**
 * Dimensions and counts of a rollout dataset, as found by {@link RolloutValidator}. For a dataset
 * with faults the values describe the majority of rows (a length is the most common one).
 *
 * @param rows         number of rows
 * @param trajectories number of distinct (iteration, condition, sample)
 * @param dX           state size, or -1 when unknown
 * @param dU           action size, or -1 when unknown
 * @param dO           observation size, or -1 when unknown
 * @param hasCost      whether the dataset stores a cost column
 * @param appliedRows  rows whose applied action (u_applied) is recorded, not null
 * @param conditions   one entry per condition, by condition index
 * @param sources      rows per value of the source column (at most the 20 most frequent)
 * @param complete     whether the folder carries the {@value AtomicOutput#MARKER} marker (logged data need not)
 */
public record DatasetSummary(long rows, long trajectories, int dX, int dU, int dO, boolean hasCost, long appliedRows,
                             List<ConditionSummary> conditions, Map<String, Long> sources, boolean complete) {
    public DatasetSummary {
        conditions = List.copyOf(conditions);
        sources = Map.copyOf(sources);
    }

    /**
     * @param condition    condition index
     * @param T            trajectory length (max t + 1, the most common one if they differ)
     * @param trajectories number of (iteration, sample) pairs
     * @param iterations   number of distinct iterations
     * @param rows         number of rows
     */
    public record ConditionSummary(int condition, int T, long trajectories, long iterations, long rows) {
    }
}
